package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Container networking through the real docker CLI against a real `skiff daemon`, each case in the
 * shared VM and with --isolation=hyperv: ports published with -p, -P and an address, fetched from
 * the host; the host reached from containers as host.docker.internal and through host-gateway;
 * --network none and host; clear errors for a taken port, a bad port and an unknown network; and
 * published ports answering across a SIGKILL of the daemon. Traffic goes only to 127.0.0.1 and to
 * addresses inside the test's VMs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerNetworkIT {
    private static final Duration READY = Duration.ofMinutes(3);
    private static final List<String> MODES = List.of("shared", "hyperv");
    private static DaemonProcess daemon;
    private static Path base;
    private static HttpServer hostServer;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sn");
        daemon = new DaemonProcess(base);
        daemon.start();
        hostServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hostServer.createContext("/hello", ex -> {
            byte[] body = "hello from the host\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        hostServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hostServer != null) {
            hostServer.stop(0);
        }
        DockerIT.removeAllAndStop(daemon, base);
    }

    private static DaemonProcess.Result docker(String... args) throws Exception {
        return daemon.docker(List.of(args), null);
    }

    private static DaemonProcess.Result ok(String... args) throws Exception {
        DaemonProcess.Result r = docker(args);
        assertEquals(0, r.code(), "docker " + String.join(" ", args) + " failed: " + r.err() + "\ndaemon log:\n"
                + daemon.logTail());
        return r;
    }

    /**
     * A {@code timeout N command} that is bound to end. Alone in {@code sh -c}, busybox's sh execs it,
     * so it runs as the container's PID 1, and busybox's timeout execs the command in its own place:
     * the command then is PID 1, which ignores the SIGTERM that timeout sends (a namespace's init
     * gets no signal it has no handler for), and a wget towards an address that drops its packets
     * waits out TCP's own connect timeout, two minutes. Keeping sh alive as PID 1 makes the timeout work.
     */
    static String bounded(String timeoutCommand) {
        return timeoutCommand + "; r=$?; exit $r";
    }

    private static List<String> isolation(String mode) {
        return mode.equals("hyperv") ? List.of("--isolation=hyperv") : List.of();
    }

    private static String[] args(List<String> head, List<String> isolation, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(isolation);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** GETs a URL until it answers 200 (the container's server coming up is the event), then returns the body. */
    static byte[] fetch(String url) throws Exception {
        long deadline = System.nanoTime() + READY.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    return r.body();
                }
                last = new IOException("HTTP " + r.statusCode());
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200); // nothing announces the server's listen(2); each attempt is the probe
        }
        throw new AssertionError("no answer from " + url + " within " + READY.toMinutes() + " min: " + last
                + "\ndaemon log:\n" + daemon.logTail());
    }

    /** A web root on the host, bind-mounted into the container: an index and a 20 MB file. */
    private static Path webRoot(String name) throws IOException {
        Path dir = Files.createDirectories(base.resolve("www-" + name));
        Files.writeString(dir.resolve("index.html"), "hello from " + name + "\n");
        byte[] big = new byte[20 << 20];
        new Random(42).nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);
        return dir;
    }

    @Test
    @Order(1)
    void publishedPortsAnswerOnTheHost() throws Exception {
        for (String mode : MODES) {
            String name = "web-" + mode;
            Path www = webRoot(name);
            int h1 = freePort();
            int h2 = freePort();
            ok(args(List.of("run", "-d", "--name", name, "-v", www + ":/w:ro", "-p", h1 + ":80", "-p",
                    "127.0.0.1:" + h2 + ":80", "--expose", "81", "-P"), isolation(mode),
                    "busybox", "sh", "-c", "httpd -p 81 -h /w; exec httpd -f -p 80 -h /w"));
            assertEquals("hello from " + name + "\n", new String(fetch("http://127.0.0.1:" + h1 + "/"), StandardCharsets.UTF_8));
            assertEquals("hello from " + name + "\n", new String(fetch("http://127.0.0.1:" + h2 + "/"), StandardCharsets.UTF_8));
            assertArrayEquals(Files.readAllBytes(www.resolve("big.bin")), fetch("http://127.0.0.1:" + h1 + "/big.bin"),
                    "20 MB through the published port, " + mode);

            String ports = ok("port", name).out();
            assertTrue(ports.contains("80/tcp -> 0.0.0.0:" + h1), ports);
            assertTrue(ports.contains("80/tcp -> 127.0.0.1:" + h2), ports);
            String p81 = ok("port", name, "81/tcp").out().strip();
            assertTrue(p81.startsWith("0.0.0.0:"), "-P publishes the exposed port on a free one: " + p81);
            int r = Integer.parseInt(p81.substring(p81.lastIndexOf(':') + 1));
            assertEquals("hello from " + name + "\n", new String(fetch("http://127.0.0.1:" + r + "/"), StandardCharsets.UTF_8));
            String inspect = ok("inspect", "--format",
                    "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.HostConfig.NetworkMode}}", name).out();
            assertTrue(inspect.matches("172\\.17\\.\\d+\\.\\d+ 172\\.17\\.0\\.1 bridge\\s*"), inspect);

            ok("rm", "-f", name);
            // The host ports are free again once the container is gone.
            try (ServerSocket s = new ServerSocket(h1)) {
                assertEquals(h1, s.getLocalPort());
            }
        }
    }

    /** A static UDP echo server (cli/src/test/go/udpecho), built with the Go toolchain ./skiff test installs. */
    private static Path udpEcho() throws Exception {
        Path dir = Files.createDirectories(base.resolve("udpecho"));
        Path binary = dir.resolve("udpecho");
        if (Files.exists(binary)) {
            return dir;
        }
        Path go = Path.of("/usr/bin/go");
        assertTrue(Files.isExecutable(go), "no Go toolchain to build the UDP echo server; apt-get install golang-go "
                + "(./skiff test does)");
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", binary.toString(),
                Path.of("src/test/go/udpecho/main.go").toAbsolutePath().toString()).redirectErrorStream(true);
        pb.environment().putAll(java.util.Map.of("CGO_ENABLED", "0", "GO111MODULE", "off", "GOFLAGS", "",
                "GOPROXY", "off", "GOCACHE", dir.resolve("cache").toString()));
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS), "go build did not finish");
        assertEquals(0, p.exitValue(), "go build of udpecho failed:\n" + log);
        return dir;
    }

    @Test
    @Order(2)
    void aPublishedUdpPortCarriesDatagramsBothWays() throws Exception {
        Path bin = udpEcho();
        for (String mode : MODES) {
            int port = freeUdpPort();
            ok(args(List.of("run", "-d", "--name", "udp-" + mode, "-v", bin + ":/t:ro", "-p", port + ":7/udp"),
                    isolation(mode), "busybox", "/t/udpecho", "7"));
            assertTrue(ok("port", "udp-" + mode).out().contains("7/udp -> 0.0.0.0:" + port));
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                s.setSoTimeout(500);
                byte[] msg = ("hello " + mode).getBytes(StandardCharsets.UTF_8);
                String answer = null;
                long deadline = System.nanoTime() + READY.toNanos();
                while (answer == null && System.nanoTime() < deadline) {
                    // Each datagram is the probe: until the server is up, nothing comes back.
                    s.send(new java.net.DatagramPacket(msg, msg.length, java.net.InetAddress.getLoopbackAddress(), port));
                    java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[1500], 1500);
                    try {
                        s.receive(in);
                        answer = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                    } catch (java.net.SocketTimeoutException e) {
                        // not yet
                    }
                }
                assertEquals("echo:hello " + mode, answer, mode + "\ndaemon log:\n" + daemon.logTail());
            }
            ok("rm", "-f", "udp-" + mode);
        }
    }

    static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    @Order(2)
    void containersReachTheHostByName() throws Exception {
        int port = hostServer.getAddress().getPort();
        for (String mode : MODES) {
            DaemonProcess.Result r = ok(args(List.of("run", "--rm", "--add-host", "gw:host-gateway"), isolation(mode),
                    "busybox", "sh", "-c", "timeout 60 wget -qO- http://host.docker.internal:" + port
                            + "/hello && timeout 60 wget -qO- http://gw:" + port + "/hello"));
            assertEquals("hello from the host\nhello from the host\n", r.out(), mode + ": " + r.err());
        }
        // On the default bridge names go to QEMU's forwarder and the host's resolver; a .invalid
        // name must fail there too (the time is printed, not asserted: it is the host resolver's).
        DaemonProcess.Result missing = docker("run", "--rm", "busybox", "sh", "-c",
                "cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }; t0=$(cs); timeout 20 nslookup nosuch.invalid; r=$?; "
                        + "echo elapsed_ms=$(( ($(cs) - t0) * 10 )); exit $r");
        assertNotEquals(0, missing.code(), missing.out());
        System.out.println("DockerNetworkIT: on the default bridge, nslookup nosuch.invalid failed after "
                + missing.out().substring(missing.out().indexOf("elapsed_ms=") + 11).strip() + " ms");
    }

    @Test
    @Order(3)
    void containersOnTheDefaultBridgeReachEachOtherByAddress() throws Exception {
        ok("run", "-d", "--name", "peer", "busybox", "sh", "-c",
                "mkdir /w; echo peer-ok > /w/index.html; exec httpd -f -p 8080 -h /w");
        String ip = ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "peer").out().strip();
        DaemonProcess.Result r = ok("run", "--rm", "busybox", "sh", "-c",
                "for i in $(seq 100); do timeout 10 wget -qO- http://" + ip + ":8080/ && exit 0; sleep 0.2; done; exit 1");
        assertEquals("peer-ok\n", r.out());
        ok("rm", "-f", "peer");
    }

    @Test
    @Order(4)
    void networkNoneHasLoopbackOnlyAndHostIsTheVm() throws Exception {
        String none = ok("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net").out();
        assertEquals("lo", none.strip());
        String host = ok("run", "--rm", "--network", "host", "busybox", "sh", "-c", "ls /sys/class/net").out();
        assertTrue(host.contains("uplink"), "--network host is the VM's own namespace: " + host);
        // ... whose loopback is up, as a host's is: a server on 127.0.0.1 answers there
        String local = ok("run", "--rm", "--network", "host", "busybox", "sh", "-c",
                "mkdir /w; echo on-lo > /w/i; httpd -f -p 127.0.0.1:18098 -h /w & n=0; "
                        + "until timeout 5 wget -q -O - http://127.0.0.1:18098/i; do n=$((n+1)); "
                        + "[ $n -lt 100 ] || exit 1; sleep 0.2; done; kill $!").out();
        assertEquals("on-lo\n", local, "a --network host container's 127.0.0.1");
        // Published in host mode: the host's port goes straight to the VM's port of that number.
        int p = freePort();
        ok("run", "-d", "--name", "vmhost", "--network", "host", "-p", "127.0.0.1:" + p + ":18099", "busybox", "sh", "-c",
                "mkdir /w; echo vm-host-ok > /w/index.html; exec httpd -f -p 18099 -h /w");
        assertEquals("vm-host-ok\n", new String(fetch("http://127.0.0.1:" + p + "/"), StandardCharsets.UTF_8));
        DaemonProcess.Result twice = docker("run", "-d", "--name", "vmhost2", "--network", "host", "-p", freePort()
                + ":18099", "busybox", "sleep", "60");
        assertNotEquals(0, twice.code(), "one VM port, one container");
        assertTrue(twice.err().contains("already published"), twice.err());
        ok("rm", "-f", "vmhost", "vmhost2");
    }

    @Test
    @Order(4)
    void aContainerJoinsAnothersNetworkInTheSharedVm() throws Exception {
        ok("run", "-d", "--name", "owner", "busybox", "sh", "-c",
                "mkdir /w; echo owner-ok > /w/index.html; exec httpd -f -p 8080 -h /w");
        DaemonProcess.Result r = ok("run", "--rm", "--network", "container:owner", "busybox", "sh", "-c",
                "for i in $(seq 300); do timeout 10 wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.2; done; exit 1");
        assertEquals("owner-ok\n", r.out(), "the joiner sees the owner's loopback");
        DaemonProcess.Result hyperv = docker("run", "--rm", "--isolation=hyperv", "--network", "container:owner",
                "busybox", "true");
        assertNotEquals(0, hyperv.code());
        assertTrue(hyperv.err().contains("shared VM"), hyperv.err());
        DaemonProcess.Result nosuch = docker("run", "--rm", "--network", "container:nosuch", "busybox", "true");
        assertNotEquals(0, nosuch.code());
        assertTrue(nosuch.err().contains("No such container"), nosuch.err());
        ok("rm", "-f", "owner");
    }

    @Test
    @Order(5)
    void aTakenPortIsAClearErrorAndPublishesNothing() throws Exception {
        int free = freePort();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            int busy = taken.getLocalPort();
            for (String mode : MODES) {
                DaemonProcess.Result r = docker(args(List.of("run", "-d", "--name", "clash-" + mode, "-p", free + ":80",
                        "-p", busy + ":81"), isolation(mode), "busybox", "sleep", "600"));
                assertNotEquals(0, r.code());
                assertTrue(r.err().contains("port is already allocated") && r.err().contains(":" + busy), r.err());
                try (ServerSocket s = new ServerSocket(free)) {
                    assertEquals(free, s.getLocalPort(), "the other port was given back");
                }
                String state = ok("inspect", "--format", "{{.State.Status}}", "clash-" + mode).out().strip();
                assertEquals("created", state);
                ok("rm", "-f", "clash-" + mode);
            }
        }
        DaemonProcess.Result range = docker("run", "--rm", "-p", "99999:80", "busybox", "true");
        assertNotEquals(0, range.code());
        assertTrue(range.err().toLowerCase().contains("invalid"), range.err());
        DaemonProcess.Result unknown = docker("run", "--rm", "--network", "nosuch", "busybox", "true");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("network nosuch not found"), unknown.err());
        assertEquals("", ok("ps", "-aq").out().strip(), "nothing left half-created");
    }

    @Test
    @Order(6)
    void publishedPortsAnswerAcrossADaemonKill() throws Exception {
        int[] ports = new int[MODES.size()];
        for (int i = 0; i < MODES.size(); i++) {
            String mode = MODES.get(i);
            ports[i] = freePort();
            ok(args(List.of("run", "-d", "--name", "keep-" + mode, "-p", ports[i] + ":80"), isolation(mode),
                    "busybox", "sh", "-c", "mkdir /w; echo kept-" + mode + " > /w/index.html; exec httpd -f -p 80 -h /w"));
            assertEquals("kept-" + mode + "\n", new String(fetch("http://127.0.0.1:" + ports[i] + "/"), StandardCharsets.UTF_8));
        }
        daemon.kill();
        daemon.start();
        for (int i = 0; i < MODES.size(); i++) {
            String mode = MODES.get(i);
            assertEquals("kept-" + mode + "\n", new String(fetch("http://127.0.0.1:" + ports[i] + "/"), StandardCharsets.UTF_8));
            assertTrue(ok("port", "keep-" + mode).out().contains("0.0.0.0:" + ports[i]));
            ok("rm", "-f", "keep-" + mode);
            try (ServerSocket s = new ServerSocket(ports[i])) {
                assertEquals(ports[i], s.getLocalPort(), "the restarted daemon gave the port back at rm");
            }
        }
    }

    /** Fetches from inside a container until the server answers (its start is the event), at most ~60 s. */
    private static String[] wgetLoop(List<String> isolation, String network, String url) {
        return args(List.of("run", "--rm", "--network", network), isolation, "busybox", "sh", "-c",
                "for i in $(seq 300); do timeout 10 wget -qO- " + url + " && exit 0; sleep 0.2; done; exit 1");
    }

    @Test
    @Order(7)
    void userNetworksResolveNamesAliasesAndIdsAcrossVmsAndIsolateOtherNetworks() throws Exception {
        ok("network", "create", "appnet");
        ok("network", "create", "othernet");
        String subnet = ok("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "appnet")
                .out().strip();
        DaemonProcess.Result overlap = docker("network", "create", "--subnet", subnet, "clash");
        assertNotEquals(0, overlap.code());
        assertTrue(overlap.err().contains("overlaps"), overlap.err());
        assertTrue(docker("network", "inspect", "clash").code() != 0, "nothing left half-created");
        for (String serverMode : MODES) {
            String api = "api-" + serverMode;
            String id = ok(args(List.of("run", "-d", "--name", api, "--network", "appnet", "--network-alias",
                    "backend-" + serverMode), isolation(serverMode), "busybox", "sh", "-c",
                    "mkdir /w; echo " + api + "-ok > /w/index.html; exec httpd -f -p 8080 -h /w")).out().strip();
            String ip = ok("inspect", "--format", "{{(index .NetworkSettings.Networks \"appnet\").IPAddress}}", api)
                    .out().strip();
            assertTrue(ip.startsWith("172."), ip);
            for (String clientMode : MODES) {
                // One client container (one VM boot when dedicated) tries every way of naming the server.
                List<String> hosts = List.of(api, "backend-" + serverMode, id.substring(0, 12), ip);
                StringBuilder script = new StringBuilder();
                for (String host : hosts) {
                    script.append("ok=; for i in $(seq 300); do if timeout 10 wget -qO- http://").append(host)
                            .append(":8080/; then ok=1; break; fi; sleep 0.2; done; [ -n \"$ok\" ] || echo FAILED ")
                            .append(host).append("; ");
                }
                long c0 = System.nanoTime();
                DaemonProcess.Result r = ok(args(List.of("run", "--rm", "--network", "appnet"), isolation(clientMode),
                        "busybox", "sh", "-c", script.toString()));
                System.out.println("DockerNetworkIT: client " + clientMode + " of server " + serverMode + " took "
                        + (System.nanoTime() - c0) / 1_000_000 + " ms");
                assertEquals((api + "-ok\n").repeat(hosts.size()), r.out(),
                        "server " + serverMode + ", client " + clientMode + " by name, alias, short id and address");
            }
            // Another network can neither resolve nor reach it.
            long o0 = System.nanoTime();
            DaemonProcess.Result name = docker("run", "--rm", "--network", "othernet", "busybox", "sh", "-c",
                    bounded("timeout 10 nslookup " + api));
            assertNotEquals(0, name.code(), "othernet resolved " + api + ": " + name.out());
            DaemonProcess.Result reach = docker("run", "--rm", "--network", "othernet", "busybox", "sh", "-c",
                    bounded("timeout 5 wget -qO- http://" + ip + ":8080/"));
            assertNotEquals(0, reach.code(), "othernet reached " + api + " at " + ip + ": " + reach.out());
            System.out.println("DockerNetworkIT: othernet's two refusals took " + (System.nanoTime() - o0) / 1_000_000 + " ms");
        }
        // The default bridge has no name service, as in Docker.
        assertNotEquals(0, docker("run", "--rm", "busybox", "sh", "-c", bounded("timeout 10 nslookup api-shared")).code());
        // A missing name fails at once: the daemon answers .invalid itself (the time is printed, not asserted).
        long t0 = System.nanoTime();
        DaemonProcess.Result missing = docker("run", "--rm", "--network", "appnet", "busybox", "sh", "-c",
                // busybox date has no %N: /proc/uptime's hundredths of a second, without the dot.
                "cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }; t0=$(cs); timeout 10 nslookup nosuch.invalid; r=$?; "
                        + "echo elapsed_ms=$(( ($(cs) - t0) * 10 )); exit $r");
        assertNotEquals(0, missing.code(), missing.out());
        assertTrue(missing.out().contains("elapsed_ms="), missing.out());
        System.out.println("DockerNetworkIT: nslookup nosuch.invalid failed after "
                + missing.out().substring(missing.out().indexOf("elapsed_ms=") + 11).strip() + " ms inside the container ("
                + (System.nanoTime() - t0) / 1_000_000 + " ms with docker run)");
        DaemonProcess.Result inUse = docker("network", "rm", "appnet");
        assertNotEquals(0, inUse.code());
        assertTrue(inUse.err().contains("active endpoints"), inUse.err());
    }

    @Test
    @Order(8)
    void aRunningContainerIsConnectedToAnotherNetworkAndDisconnected() throws Exception {
        ok("network", "connect", "--alias", "late", "othernet", "api-shared");
        String ip = ok("inspect", "--format", "{{(index .NetworkSettings.Networks \"othernet\").IPAddress}}",
                "api-shared").out().strip();
        assertTrue(ip.startsWith("172."), ip);
        for (String clientMode : MODES) {
            DaemonProcess.Result r = ok(wgetLoop(isolation(clientMode), "othernet", "http://late:8080/"));
            assertEquals("api-shared-ok\n", r.out(), "client " + clientMode + " on othernet after connect");
        }
        assertTrue(ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", "othernet").out()
                .contains("api-shared"));
        ok("network", "disconnect", "othernet", "api-shared");
        DaemonProcess.Result gone = docker("run", "--rm", "--network", "othernet", "busybox", "sh", "-c",
                bounded("timeout 10 nslookup late"));
        assertNotEquals(0, gone.code(), "late still resolves after disconnect: " + gone.out());
        DaemonProcess.Result first = docker("network", "disconnect", "appnet", "api-shared");
        assertNotEquals(0, first.code(), "the first network of a running container stays");
    }

    @Test
    @Order(9)
    void userNetworkNamesStillResolveAfterADaemonKill() throws Exception {
        daemon.kill();
        daemon.start();
        for (String clientMode : MODES) {
            DaemonProcess.Result r = ok(wgetLoop(isolation(clientMode), "appnet", "http://api-hyperv:8080/"));
            assertEquals("api-hyperv-ok\n", r.out(), "client " + clientMode + " after the restart");
        }
        ok("rm", "-f", "api-shared", "api-hyperv");
        ok("network", "rm", "appnet", "othernet");
        assertEquals("bridge\nhost\nnone\n", ok("network", "ls", "--format", "{{.Name}}").out());
    }
}
