package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.Engine;
import dev.skiff.engine.image.TestArchives;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.testing.TestEngine;
import dev.skiff.registry.testing.TestRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real docker CLI (installed here and in CI) against {@link ApiServer} over the real engine
 * with fake VMs ({@link EngineServer}). This is the test that the API is Docker's as the CLI reads
 * it: version negotiation, the hijacked attach of {@code docker run}, wait before start,
 * multiplexed output, exit codes, error text.
 */
@Timeout(120)
class DockerCliTest {
    @TempDir
    Path dir;
    Path socket;
    EngineServer server;
    Engine backend;

    record Result(int exit, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        server = new EngineServer(dir);
        backend = server.engine;
        socket = server.socket;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Result docker(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("DOCKER_HOST");
        pb.environment().remove("DOCKER_CONTEXT");
        pb.environment().put("DOCKER_CONFIG", dir.resolve("config").toString());
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("docker " + String.join(" ", args) + " did not finish; stderr: " + err.getNow(""));
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    private Result ok(String... args) throws Exception {
        Result r = docker(null, args);
        assertEquals(0, r.exit(), "docker " + String.join(" ", args) + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        return r;
    }

    @Test
    void versionNegotiatesTheApi() throws Exception {
        Result r = ok("version");
        assertTrue(r.out().contains("Server: Skiff 0.1.0"), r.out());
        assertTrue(r.out().contains("API version:       1.47"), r.out());
    }

    @Test
    void networkLsAndInspectShowTheBuiltInNetworks() throws Exception {
        String ls = ok("network", "ls", "--format", "{{.Name}} {{.Driver}}").out();
        assertEquals("bridge bridge\nhost host\nnone null\n", ls);
        assertEquals("172.17.0.0/16 172.17.0.1\n", ok("network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "bridge").out());
        String id = ok("network", "create", "--label", "team=a", "appnet").out().strip();
        assertEquals(64, id.length(), id);
        assertEquals("172.18.0.0/16 172.18.0.1\n", ok("network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "appnet").out());
        ok("network", "create", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.9", "fixed");
        assertEquals("appnet\n", ok("network", "ls", "--filter", "label=team=a", "--format", "{{.Name}}").out());
        Result overlap = docker(null, "network", "create", "--subnet", "172.18.5.0/24", "clash");
        assertTrue(overlap.exit() != 0 && overlap.err().contains("overlaps"), overlap.err());
        Result uplink = docker(null, "network", "create", "--subnet", "10.0.0.0/16", "clash");
        assertTrue(uplink.exit() != 0 && uplink.err().contains("uplink"), uplink.err());
        Result dup = docker(null, "network", "create", "appnet");
        assertTrue(dup.exit() != 0 && dup.err().contains("already exists"), dup.err());
        Result badFilter = docker(null, "network", "ls", "--filter", "colour=red");
        assertTrue(badFilter.exit() != 0 && badFilter.err().contains("invalid filter"), badFilter.err());
        ok("network", "rm", "appnet", "fixed");
        Result builtin = docker(null, "network", "rm", "bridge");
        assertTrue(builtin.exit() != 0 && builtin.err().contains("pre-defined"), builtin.err());
        Result missing = docker(null, "network", "inspect", "nosuch");
        assertTrue(missing.exit() != 0 && missing.err().contains("nosuch"), missing.err());
    }

    @Test
    void infoShowsTheVms() throws Exception {
        ok("run", "-d", "busybox", "sleep"); // the shared VM boots
        Result r = ok("info");
        assertTrue(r.out().contains("Storage Driver: skiff"), r.out());
        long pid = server.test.driver.vms(Placement.SHARED_NAME).getLast().pid();
        assertTrue(r.out().contains("skiff-shared: shared, pid " + pid), r.out());
        assertTrue(r.out().contains("Name: " + backend.info().name()), r.out());
        assertFalse(r.err().toLowerCase().contains("error"), r.err());
    }

    @Test
    void healthFlagsReachTheEngineAsDockersHealthcheck() throws Exception {
        ok("create", "--name", "probed", "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s",
                "--health-timeout", "2s", "--health-start-period", "3s", "--health-start-interval", "500ms",
                "--health-retries", "2", "busybox", "sleep");
        long s = 1_000_000_000L;
        assertEquals(new Healthcheck(List.of("CMD-SHELL", "test -f /tmp/ok"), s, 2 * s, 3 * s, s / 2, 2),
                healthcheck("probed"));
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"test -f /tmp/ok\"],\"Interval\":1000000000,\"Timeout\":2000000000,"
                + "\"StartPeriod\":3000000000,\"StartInterval\":500000000,\"Retries\":2}\n",
                ok("container", "inspect", "--format", "{{json .Config.Healthcheck}}", "probed").out());
        String none = ok("create", "--no-healthcheck", "busybox", "sleep").out().strip();
        assertEquals(new Healthcheck(List.of("NONE"), 0, 0, 0, 0, 0), healthcheck(none));
        String plain = ok("create", "busybox", "sleep").out().strip();
        assertEquals(null, healthcheck(plain));
    }

    private Healthcheck healthcheck(String container) throws EngineException {
        return backend.inspectContainer(container).spec().healthcheck();
    }

    @Test
    void updateSendsThePolicyAndNamesTheLimitsItSets() throws Exception {
        ok("create", "--name", "upd", "busybox", "sleep");
        ok("update", "--restart", "on-failure:4", "upd");
        assertEquals(new Backend.RestartPolicy("on-failure", 4), backend.inspectContainer("upd").spec().restartPolicy());
        // the engine applies no resource limits: it refuses them, naming each the CLI sent
        Result limits = docker(null, "update", "--memory", "64m", "--cpus", "0.5", "upd");
        assertTrue(limits.exit() != 0 && limits.err().contains("(Memory, NanoCpus)"), limits.err());
        assertEquals(new Backend.RestartPolicy("on-failure", 4), backend.inspectContainer("upd").spec().restartPolicy());
        Result missing = docker(null, "update", "--restart", "always", "nosuch");
        assertTrue(missing.exit() != 0 && missing.err().contains("No such container: nosuch"), missing.err());
    }

    @Test
    void runRemovesAndPrintsOutput() throws Exception {
        Result r = ok("run", "--rm", "busybox", "echo", "hi");
        assertEquals("hi\n", r.out());
        // gone when the CLI returns: it waited for condition=removed, which comes after the exit
        assertEquals(List.of(), backend.listContainers(true));
    }

    @Test
    void runPassesTheExitCodeAndStderr() throws Exception {
        Result r = docker(null, "run", "busybox", "fail");
        assertEquals(3, r.exit());
        assertEquals("oops\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void runWithStdinClosesItAtEof() throws Exception {
        Result r = docker("piped line\n", "run", "-i", "--rm", "busybox", "cat");
        assertEquals(0, r.exit(), r.err());
        assertEquals("piped line\n", r.out());
    }

    @Test
    void psExecLogsAndRmForce() throws Exception {
        String id = ok("run", "-d", "--name", "sleeper", "busybox", "sleep").out().trim();
        assertEquals(64, id.length());
        ok("create", "--name", "fresh", "busybox", "echo", "x");
        String ps = ok("ps", "-a").out();
        assertTrue(ps.contains("sleeper") && ps.contains("fresh"), ps);
        assertTrue(ps.contains("Up ") && ps.contains("Created"), ps);
        assertFalse(ok("ps").out().contains("fresh"));

        assertEquals("from exec\n", ok("exec", "sleeper", "echo", "from", "exec").out());
        assertEquals(3, docker(null, "exec", "sleeper", "fail").exit());

        ok("run", "--name", "talker", "busybox", "echo", "logged");
        assertEquals("logged\n", ok("logs", "talker").out());
        assertTrue(ok("inspect", "--format", "{{.State.Status}} {{.Name}}", "talker").out().contains("exited /talker"));

        assertEquals("sleeper\n", ok("rm", "-f", "sleeper").out());
        Result gone = docker(null, "rm", "sleeper");
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("No such container: sleeper"), gone.err());
    }

    @Test
    void loadImagesAndRemoveThem() throws Exception {
        Path archive = dir.resolve("images.tar");
        server.test.images.tag(TestEngine.IMAGE, "alpine:3.20");
        try (OutputStream out = Files.newOutputStream(archive)) {
            backend.saveImages(List.of("alpine:3.20"), out);
        }
        backend.removeImage("alpine:3.20", false);
        Result r = ok("load", "-i", archive.toString());
        assertTrue(r.out().contains("Loaded image: alpine:3.20"), r.out());
        String images = ok("images").out();
        assertTrue(images.contains("alpine") && images.contains("3.20"), images);
        Result rmi = ok("rmi", "alpine:3.20");
        assertTrue(rmi.out().contains("Untagged: alpine:3.20"), rmi.out());
    }

    @Test
    void importReadsTheTarFromStdin() throws Exception {
        Path tar = dir.resolve("rootfs.tar");
        Files.write(tar, TestArchives.tar(TestArchives.files("etc/", null, "etc/hostname", "imported\n")));
        Result r = ok("import", "--change", "CMD [\"sh\"]", tar.toString(), "skiff/imported:1");
        Backend.ImageDetail image = backend.inspectImage("skiff/imported:1");
        assertTrue(r.out().contains(image.summary().id()), r.out());
        assertEquals(List.of("sh"), image.config().cmd());
    }

    @Test
    void psFiltersSelectOnlyWhatTheyNameAndUnknownKeysAreRefused() throws Exception {
        String id = ok("create", "--label", "com.docker.compose.project=shop", "busybox", "true").out().trim();
        ok("create", "busybox", "true");
        assertEquals("", ok("ps", "-aq", "--filter", "label=com.docker.compose.project=nosuch").out(),
                "a script's rm -f $(docker ps -aq --filter ...) must not see other containers");
        assertEquals(id.substring(0, 12) + "\n", ok("ps", "-aq", "--filter", "label=com.docker.compose.project=shop")
                .out());
        assertEquals(2, ok("ps", "-q", "--filter", "status=created").out().lines().count(), "status implies -a");
        Result bad = docker(null, "ps", "--filter", "colour=red");
        assertTrue(bad.exit() != 0 && bad.err().contains("invalid filter 'colour'"), bad.err());
    }

    @Test
    void restartRenameAndContainerPrune() throws Exception {
        String id = ok("create", "--name", "first", "--label", "keep=no", "busybox", "sleep").out().trim();
        ok("restart", "-t", "3", "first");
        assertEquals("running\n", ok("inspect", "-f", "{{.State.Status}}", "first").out());
        // a running one is stopped first: sleep, as a container's init, ignores SIGTERM, so SIGKILL
        // ends it once t's 3 s have passed
        long restarting = System.nanoTime();
        ok("restart", "-t", "3", "first");
        assertTrue(System.nanoTime() - restarting >= 3_000_000_000L, "the restart's stop waited t=3 seconds");
        assertEquals("running\n", ok("inspect", "-f", "{{.State.Status}}", "first").out());
        ok("rename", "first", "second");
        assertEquals("/second\n", ok("inspect", "-f", "{{.Name}}", id).out());
        Result missing = docker(null, "rename", "nosuch", "x");
        assertTrue(missing.exit() != 0 && missing.err().contains("No such container"), missing.err());
        ok("stop", "-t", "1", "second"); // (not the default 10 s: sleep waits for the SIGKILL)
        String kept = ok("create", "--label", "keep=yes", "busybox", "true").out().trim();
        Result pruned = ok("container", "prune", "-f", "--filter", "label=keep=no");
        assertTrue(pruned.out().contains(id), pruned.out());
        assertEquals(kept.substring(0, 12) + "\n", ok("ps", "-aq").out(), "prune takes only what its filter names");
    }

    @Test
    void systemPruneRunsEveryPruneItCallsTheEmptyBuildCacheIncluded() throws Exception {
        ok("create", "--name", "stale", "busybox", "true");
        Result r = ok("system", "prune", "-f");
        assertTrue(r.out().contains("Total reclaimed space"), r.out());
        assertEquals("", ok("ps", "-aq").out());
    }

    @Test
    void endpointsSkiffLacksSaySoByName() throws Exception {
        ok("create", "--name", "x1", "busybox", "sleep");
        Result diff = docker(null, "diff", "x1");
        assertTrue(diff.exit() != 0 && diff.err().contains("Skiff does not implement GET /containers/{id}/changes"),
                diff.err());
        Result events = docker(null, "system", "df");
        assertTrue(events.exit() != 0 && events.err().contains("does not implement GET /system/df"), events.err());
        assertTrue(ok("image", "prune", "-f").out().contains("Total reclaimed space"));
    }

    @Test
    void topStatsPauseAndUnpauseAsTheCliShowsThem() throws Exception {
        ok("run", "-d", "--name", "busy", "busybox", "sleep");
        String top = ok("top", "busy").out();
        assertTrue(top.lines().findFirst().orElse("").matches("UID\\s+PID\\s+PPID\\s+C\\s+STIME\\s+TTY\\s+TIME\\s+CMD"),
                top);
        assertTrue(top.contains("sleep"), top);
        String stats = ok("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}} {{.NetIO}}", "busy").out();
        assertEquals("busy 3KiB / 1GiB 1 10B / 20B\n", stats, "usage less inactive_file, as the CLI computes it on cgroup v2");
        ok("pause", "busy");
        assertTrue(ok("ps", "--filter", "status=paused", "--format", "{{.Names}} {{.Status}}").out()
                .matches("busy Up .* \\(Paused\\)\n"));
        Result again = docker(null, "pause", "busy");
        assertTrue(again.exit() != 0 && again.err().contains("is already paused"), again.err());
        ok("unpause", "busy");
        assertEquals("running\n", ok("inspect", "-f", "{{.State.Status}}", "busy").out());
    }

    @Test
    void imagesFilters() throws Exception {
        assertEquals("busybox\n", ok("images", "--format", "{{.Repository}}", "--filter", "reference=busy*").out());
        assertEquals("", ok("images", "-q", "--filter", "reference=nosuch*").out());
        assertEquals("", ok("images", "-q", "--filter", "dangling=true").out());
        Result bad = docker(null, "images", "--filter", "colour=red");
        assertTrue(bad.exit() != 0 && bad.err().contains("invalid filter 'colour'"), bad.err());
    }

    @Test
    void missingImageIsPulledFirstAsTheCliDoes() throws Exception {
        // a local registry: Docker Hub is out of reach here (a mirror for it falls back to Hub, as dockerd's does)
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), "")) {
            String ref = registry.host() + "/nosuch:1";
            Result r = docker(null, "run", "--rm", ref, "echo");
            assertEquals(125, r.exit());
            assertTrue(r.err().contains("Unable to find image '" + ref + "' locally"), r.err());
            assertTrue(r.err().contains("manifest for " + ref + " not found"), r.err());
        }
    }
}
