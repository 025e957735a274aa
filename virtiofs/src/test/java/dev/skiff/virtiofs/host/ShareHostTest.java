package dev.skiff.virtiofs.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayTarget;
import dev.skiff.virtiofs.host.HostMessage.*;
import dev.skiff.virtiofs.host.VirtioFsBackends.ServedShare;
import dev.skiff.virtiofs.host.VirtioFsBackends.ShareSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The share host keeps a daemon's virtio-fs back-ends alive across the daemon's end: a share
 * served through one connection is taken up through the next (a restarted daemon), its replays
 * are awaited and withdrawn over the wire, it ends when released or when QEMU's side of its
 * socket goes, and the host exits when unused. Bad frames cost only their connection. The
 * guest side (QEMU and the kernel's virtiofs client across a daemon's kill -9) is DockerVirtioFsIT.
 */
class ShareHostTest {
    @TempDir
    Path tmp;
    private ShareHost host;
    private Thread serving;

    @AfterEach
    void stop() throws Exception {
        if (host != null) {
            host.close();
            serving.join(10_000);
        }
    }

    private Path control() {
        return tmp.resolve("host.sock");
    }

    private void startHost(Duration idle) throws IOException {
        host = ShareHost.listen(control());
        serving = Thread.ofPlatform().start(() -> {
            try {
                host.serve(idle);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private ShareHostClient client() {
        return new ShareHostClient(control(), List.of(), tmp.resolve("host.log"));
    }

    private ShareSpec spec(String tag, Path dir) {
        return new ShareSpec("vm1", tag, tmp.resolve(tag + ".sock"), dir, false, 1234, Duration.ofSeconds(2));
    }

    @Test
    void aShareOutlivesTheConnectionThatMadeItAndIsTakenUpByTheNext() throws Exception {
        startHost(Duration.ofMinutes(5));
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (ShareHostClient first = client()) {
            first.serve(spec("vfs-1", export));
            assertTrue(Files.exists(tmp.resolve("vfs-1.sock")), "the back-end listens for QEMU before serve returns");
        } // the daemon that made it is gone
        try (ShareHostClient second = client()) {
            ServedShare s = second.adopt("vm1", "vfs-1");
            assertEquals(export, s.dir());
            assertFalse(s.readOnly());
            assertEquals(List.of(new ShareInfo("vm1", "vfs-1", export.toString(), false)), second.list());
            IOException other = assertThrows(IOException.class, () -> second.adopt("vm2", "vfs-1"));
            assertTrue(other.getMessage().contains("restart the container"), other.getMessage());
            s.close();
            assertEquals(List.of(), second.list(), "released");
            assertThrows(IOException.class, () -> second.adopt("vm1", "vfs-1"));

            second.serve(spec("vfs-2", export));
        }
        try (ShareHostClient third = client()) { // a restarted daemon ending a share it finds unplugged
            third.releaseEarlier("vm1", "vfs-2");
            assertEquals(List.of(), third.list(), "released without being adopted");
            third.releaseEarlier("vm1", "vfs-9"); // none such: nothing to do
        }
    }

    @Test
    void releasingAnEarlierShareStartsNoHost() throws Exception {
        Path marker = tmp.resolve("started");
        try (ShareHostClient c = new ShareHostClient(control(), List.of("touch", marker.toString()), tmp.resolve("host.log"))) {
            c.releaseEarlier("vm1", "vfs-1"); // no host listens, so no back-end of an earlier daemon is left
        }
        assertFalse(Files.exists(marker), "a host was started only to find nothing to release");
    }

    @Test
    void replaysAreAwaitedAndSkippedOverTheWire() throws Exception {
        startHost(Duration.ofMinutes(5));
        Path export = Files.createDirectories(tmp.resolve("export"));
        Files.writeString(export.resolve("a"), "x");
        try (ShareHostClient c = client()) {
            ServedShare s = c.serve(spec("vfs-1", export));
            List<HostChange> changes = new ArrayList<>();
            changes.add(new HostChange.Created("a", false));
            changes.add(new HostChange.Created("gone/b", false)); // its folder is not there: skipped
            for (int i = 0; i < HostCodec.MAX_LIST + 5; i++) {
                changes.add(new HostChange.Modified("a")); // more than one message carries
            }
            try (ReplayTarget.Expectation e = s.expect(changes)) {
                assertEquals(List.of(new HostChange.Created("gone/b", false)), e.skipped());
            }
            assertFalse(s.echoes().addedName(1, 2, "a"), "the guest made nothing");
            assertFalse(s.echoes().changedFile(1, 2));
            s.close();
            IOException gone = assertThrows(IOException.class, () -> s.expect(List.of(new HostChange.Written("a"))));
            assertTrue(gone.getMessage().contains("not served"), gone.getMessage());
        }
    }

    @Test
    void aShareEndsWhenQemusSideOfItsSocketGoes() throws Exception {
        startHost(Duration.ofMinutes(5));
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (ShareHostClient c = client()) {
            c.serve(spec("vfs-1", export));
            try (SocketChannel qemu = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                qemu.connect(UnixDomainSocketAddress.of(tmp.resolve("vfs-1.sock")));
            } // QEMU exits: the session sees the end of its socket
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!c.list().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20); // the host has no event to offer a client; its list is the state
            }
            assertEquals(List.of(), c.list(), "the share went with its session");
        }
    }

    @Test
    void badFramesCostOnlyTheirConnection() throws Exception {
        startHost(Duration.ofMinutes(5));
        List<byte[]> bad = List.of(frame(new byte[0]), frame(new byte[] {99}), frame(new byte[] {7, 0}),
                new byte[] {0x7f, 0, 0, 0}, frame(new byte[] {4, 0, 1, 'v', 0, 1, 't', 0x7f, 0, 0, 0}));
        for (byte[] b : bad) {
            try (SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                s.connect(UnixDomainSocketAddress.of(control()));
                s.write(ByteBuffer.wrap(b));
                s.shutdownOutput();
                ByteBuffer in = ByteBuffer.allocate(64);
                assertEquals(-1, s.read(in), "the host drops a connection that sent a bad frame, answering nothing");
            }
        }
        try (ShareHostClient c = client()) {
            assertEquals(List.of(), c.list(), "and serves the next");
        }
        assertThrows(IOException.class, () -> HostCodec.read(new ByteArrayInputStream(frame(new byte[] {64, 1}))),
                "trailing bytes");
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        List<HostMessage> all = List.of(new Serve("v", "t", "/s", "/d", true, 7, 2000), new Adopt("v", "t"),
                new Release("v", "t"), new Expect("v", "t", List.of(new HostChange.Created("a", true),
                        new HostChange.Deleted("b", false), new HostChange.Moved("c", "d/e", true), new HostChange.Modified("f"),
                        new HostChange.Written("g"), new HostChange.AttributesChanged("h"))),
                new EndReplay("v", "t", 9), new Echo("v", "t", EchoKind.REMOVED_NAME, 1, 2, "n"), new ListShares(),
                new Done(), new Failed("why"), new Expecting(3, List.of(0, 2)), new Answer(true),
                new Shares(List.of(new ShareInfo("v", "t", "/d", false))));
        for (HostMessage m : all) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            HostCodec.write(out, m);
            assertEquals(m, HostCodec.read(new ByteArrayInputStream(out.toByteArray())));
        }
        assertEquals(null, HostCodec.read(new ByteArrayInputStream(new byte[0])), "a clean end between frames");
    }

    @Test
    void theHostExitsWhenNoShareAndNoDaemonIsLeft() throws Exception {
        startHost(Duration.ofMillis(300));
        try (ShareHostClient c = client()) {
            assertEquals(List.of(), c.list());
        }
        serving.join(30_000);
        assertFalse(serving.isAlive(), "idle: the host ended");
        assertFalse(Files.exists(control()), "and removed its socket");
        host = null;
    }

    @Test
    void aClientStartsAHostProcessWhereNoneListensAndItOutlivesTheClient() throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.skiff.virtiofs.tool.HostCommand", "--control", control().toString(), "--idle-seconds", "2");
        long pid;
        try (ShareHostClient c = new ShareHostClient(control(), command, tmp.resolve("host.log"))) {
            assertEquals(List.of(), c.list(), "started on first use");
            pid = c.hostPid();
            assertTrue(pid > 0, "it wrote its pid file");
        }
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        p.onExit().get(60, TimeUnit.SECONDS); // idle for 2 s with no client: it exits by itself
        assertFalse(Files.exists(control()));
        assertTrue(Files.readString(tmp.resolve("host.log")).contains("listening on " + control()));
    }

    private static byte[] frame(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(body.length);
        d.write(body);
        return out.toByteArray();
    }
}
