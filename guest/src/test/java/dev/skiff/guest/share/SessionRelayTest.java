package dev.skiff.guest.share;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.guest.process.FdInputStream;
import dev.skiff.guest.process.FdOutputStream;
import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.client.RlerrorException;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Sockets;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The share relay between a kernel's 9P client and the host's server, with Skiff's real 9P server
 * and a 9P client standing in for the guest kernel (the kernel's own client needs a VM: the VM
 * phase's DaemonIT kills the daemon under a mounted share). The host's server is "killed" by
 * closing its connection, as a daemon's death would, and a new server on a new connection takes
 * the share up, as a new daemon does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionRelayTest {
    private static final int O_RDWR = 2, O_CREAT = 0100;

    @TempDir
    Path dir;
    @TempDir
    Path sockets;

    private final SwitchableLink link = new SwitchableLink();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> closeAtEnd = new ArrayList<>();
    private P9Client kernel;

    @AfterEach
    void closeAll() throws Exception {
        System.out.println("relay log: " + log);
        if (kernel != null) {
            kernel.close();
        }
        link.disconnect();
        for (AutoCloseable c : closeAtEnd.reversed()) {
            c.close();
        }
    }

    @Test
    void openFilesLocksAndWaitingRequestsSurviveANewServer() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("a/b.txt"), "hello");
        Files.writeString(dir.resolve("gone.txt"), "soon deleted");
        SocketChannel first = mounted();
        kernel.walk(0, 1, "a");
        kernel.walk(1, 2, "b.txt");
        kernel.lopen(2, O_RDWR);
        kernel.walk(1, 3);
        kernel.lcreate(3, "new.txt", O_RDWR | O_CREAT, 0644, 0);
        assertEquals(P9.LOCK_SUCCESS, kernel.lock(2, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        kernel.walk(0, 4, "gone.txt");
        kernel.lopen(4, O_RDWR);

        first.close(); // the host's daemon dies
        link.disconnect();
        Files.delete(dir.resolve("gone.txt"));
        P9Client.Call waiting = kernel.send(new Tmessage.Tread(2, 0, 5));
        assertFalse(waiting.reply().isDone(), "with no host there is nobody to answer");

        newServer(); // a new daemon takes the share up
        Rmessage r = waiting.reply().get(30, TimeUnit.SECONDS);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), ((Rmessage.Rread) r).data(),
                "the request made while no host was there is answered by the new one");
        assertEquals(3, kernel.write(3, 0, "new".getBytes(StandardCharsets.UTF_8)), "the created file is still open");
        assertEquals("new", Files.readString(dir.resolve("a/new.txt")));
        assertEquals(5, kernel.write(2, 5, " worl".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello worl", Files.readString(dir.resolve("a/b.txt")));

        RlerrorException e = assertThrows(RlerrorException.class, () -> kernel.read(4, 0, 4));
        assertEquals(116, e.errno(), "a file deleted while no server ran is stale (ESTALE)");
        kernel.clunk(4); // and the kernel can let go of it

        // the lock was taken again on the new server: another session cannot take it
        P9Client other = otherSession();
        other.walk(0, 1, "a", "b.txt");
        other.lopen(1, O_RDWR);
        assertEquals(P9.LOCK_BLOCKED, other.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        assertTrue(log.stream().anyMatch(l -> l.contains("a new host took the share up: 4 file(s) restored, 1 stale")),
                log.toString());
    }

    @Test
    void aFidFollowsItsFolderThroughARename() throws Exception {
        Files.createDirectories(dir.resolve("d"));
        Files.writeString(dir.resolve("d/x"), "x");
        SocketChannel first = mounted();
        kernel.walk(0, 1, "d", "x");
        kernel.renameat(0, "d", 0, "e");

        first.close();
        link.disconnect();
        newServer();
        kernel.lopen(1, 0);
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), kernel.read(1, 0, 1), "the fid now names e/x");
    }

    @Test
    void aRestoreThatLosesItsHostWaitsForTheNext() throws Exception {
        Files.writeString(dir.resolve("f"), "f");
        SocketChannel first = mounted();
        kernel.walk(0, 1, "f");
        first.close();
        link.disconnect();

        // a host that answers nothing and goes away in the middle of the restore
        SocketChannel[] mute = pair();
        closeAtEnd.add(mute[1]);
        link.connect(mute[0]);
        ByteBuffersRead.awaitBytes(mute[1]); // the restore's Tversion arrived
        link.disconnect();

        newServer();
        kernel.lopen(1, 0);
        assertArrayEquals("f".getBytes(StandardCharsets.UTF_8), kernel.read(1, 0, 1));
    }

    @Test
    void locksKeepOnlyWhatIsHeld() {
        LockRanges l = new LockRanges();
        l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 100, 7, "c"));
        l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_UNLCK, 0, 10, 20, 7, "c"));
        l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_RDLCK, 0, 50, 0, 7, "c"));
        assertEquals(List.of("1 0+10", "1 30+20", "0 50+0"), l.held(9).stream()
                .map(t -> t.lockType() + " " + t.start() + "+" + t.length()).toList());
        assertTrue(l.held(9).stream().allMatch(t -> t.fid() == 9 && t.flags() == P9.LOCK_FLAGS_RECLAIM));
        for (int i = 0; i < 1000; i++) {
            l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 1, 7, "c"));
            l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 1, 7, "c"));
        }
        assertEquals(3, l.held(9).size(), "lock and unlock of one byte, a thousand times, leave what was held");
        l.apply(new Tmessage.Tlock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 0, 7, "c"));
        assertTrue(l.isEmpty());
    }

    @Test
    void pathsResolveDotsWithoutLeavingTheRoot() {
        assertEquals(List.of("a", "c"), SessionLog.resolve(List.of("a", "b"), List.of("..", ".", "c")));
        assertEquals(List.of("x"), SessionLog.resolve(List.of(), List.of("..", "..", "x")));
    }

    /** A server, the relay, and the "kernel" mounted through them (fid 0 the root); the server's end. */
    private SocketChannel mounted() throws Exception {
        SocketChannel first = newServer();
        startRelay();
        kernel.version(512 * 1024);
        kernel.attach(0, P9.NOFID, "root", "", 0);
        return first;
    }

    /** A new server for the export on a new connection, which the link hands the relay; the server's end. */
    private SocketChannel newServer() throws Exception {
        SocketChannel[] ends = pair();
        Server server = new Server(new Export(dir.toString(), new Passthrough(dir), false, null));
        server.start(ends[1]);
        closeAtEnd.add(ends[1]);
        link.connect(ends[0]);
        return ends[1];
    }

    private P9Client otherSession() throws Exception {
        SocketChannel[] ends = pair();
        new Server(new Export(dir.toString(), new Passthrough(dir), false, null)).start(ends[1]);
        closeAtEnd.add(ends[1]);
        P9Client c = P9Client.of(ends[0]);
        closeAtEnd.add(c);
        c.version(512 * 1024);
        c.attach(0, P9.NOFID, "root", "", 0);
        return c;
    }

    private void startRelay() throws ErrnoException {
        int[] k = Sockets.streamPair();
        new SessionRelay("test", k[0], link, () -> { }, log::add).start();
        kernel = new P9Client(new FdInputStream(k[1]), new FdOutputStream(k[1]), () -> {
            Sockets.shutdown(k[1]); // as an unmount would: the relay reads end of file
            Fds.closeQuietly(k[1]);
        });
    }

    private SocketChannel[] pair() throws IOException {
        Path path = sockets.resolve("s" + System.nanoTime());
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
            return new SocketChannel[] {a, listener.accept()};
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** A waiting helper for the mute host: blocks until it has received something. */
    private static final class ByteBuffersRead {
        static void awaitBytes(SocketChannel ch) throws IOException {
            if (ch.read(java.nio.ByteBuffer.allocate(64)) <= 0) {
                throw new IOException("the relay sent the new host nothing");
            }
        }
    }

    /**
     * A host end that the test connects and disconnects, as QEMU's chardev reports the daemon's
     * socket coming and going: reads return 0 and writes fail while none is connected.
     */
    static final class SwitchableLink implements HostLink {
        private SocketChannel current;
        /**
         * A disconnect the relay has not yet seen. The port reports the host's absence (POLLHUP)
         * while it lasts; a test reconnects at once, so the next read or write reports it instead,
         * else a relay that was busy during the switch would take the new host for the old one.
         */
        private boolean unseenLoss;

        synchronized void connect(SocketChannel ch) {
            current = ch;
            notifyAll();
        }

        void disconnect() throws IOException {
            SocketChannel c;
            synchronized (this) {
                c = current;
                current = null;
                unseenLoss = true;
            }
            if (c != null) {
                c.close();
            }
        }

        /** The connected host, or null when there is none or a loss is still to be reported. */
        private synchronized SocketChannel current() {
            if (unseenLoss) {
                unseenLoss = false;
                return null;
            }
            return current;
        }

        @Override
        public long read(MemorySegment buf, long max, BooleanSupplier stop) {
            SocketChannel c = current();
            if (c == null) {
                return 0;
            }
            try {
                int n = c.read(buf.asSlice(0, max).asByteBuffer());
                return Math.max(n, 0);
            } catch (IOException e) {
                return 0; // closed under the read: the host went away
            }
        }

        @Override
        public boolean write(MemorySegment buf, long length) {
            SocketChannel c = current();
            if (c == null) {
                return false;
            }
            try {
                var bb = buf.asSlice(0, length).asByteBuffer();
                while (bb.hasRemaining()) {
                    c.write(bb);
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public synchronized boolean awaitHost(BooleanSupplier stop) throws InterruptedException {
            while (current == null) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                wait(50);
            }
            return true;
        }
    }
}
