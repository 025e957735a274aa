package dev.skiff.p9.tool;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.client.RlerrorException;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A micro-benchmark of the server alone: Java clients to the server over unix-domain socket
 * pairs, each client on its own connection. Reports walk+getattr+clunk operations per second
 * and read/write MB/s at 1 and 16 concurrent clients.
 *
 * <p>Usage: {@code skiff 9p bench DIR [SECONDS]} ({@link BenchCommand}), or {@code Bench DIR
 * [SECONDS]}, serves DIR in this process; {@code Bench --socket PATH
 * DIR [SECONDS]} measures an external server listening on a unix socket (e.g. diod through
 * socat) whose export is DIR.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        String socket = null;
        int i = 0;
        if (args[0].equals("--socket")) {
            socket = args[1];
            i = 2;
        }
        Path dir = Path.of(args[i]).toAbsolutePath();
        double seconds = args.length > i + 1 ? Double.parseDouble(args[i + 1]) : 3;
        Server server = socket == null ? new Server(new Export(dir.toString(), new Passthrough(dir), false, null)) : null;
        Files.write(dir.resolve("bench-read"), new byte[64 << 20]);
        Path list = Files.createDirectories(dir.resolve("bench-list"));
        for (int k = 0; k < 500; k++) {
            if (!Files.exists(list.resolve("entry-" + k))) {
                Files.createFile(list.resolve("entry-" + k));
            }
        }
        long t0 = System.nanoTime();
        try (P9Client c = connect(server, socket, dir)) {
            c.version(P9.MAX_MSIZE);
            c.attach(0, P9.NOFID, "root", dir.toString(), 0);
            long n = readdir(c, 0, 0);
            System.out.printf("msize %d (reads and writes move %d bytes each)%n", c.msize(), chunk(c));
            System.out.printf("first readdir of %d entries, cold: %.1f ms%n", n, (System.nanoTime() - t0) / 1e6);
        }
        for (int clients : new int[] {1, 16}) {
            run(server, socket, dir, clients, seconds, "walk+getattr+clunk", Bench::walkGetattrClunk, false);
            run(server, socket, dir, clients, seconds, "create+write1k+unlink", Bench::createUnlink, false);
            run(server, socket, dir, clients, seconds, "readdir (entries)", Bench::readdir, false);
            run(server, socket, dir, clients, seconds, "read", Bench::read, true);
            run(server, socket, dir, clients, seconds, "write", Bench::write, true);
        }
    }

    interface Op {
        long once(P9Client c, int id, long n) throws IOException;
    }

    static long walkGetattrClunk(P9Client c, int id, long n) throws IOException {
        c.walk(0, 1, "bench-read");
        c.getattr(1);
        c.clunk(1);
        return 1;
    }

    private static final byte[] ONE_K = new byte[1024];

    /** What the Linux client sends for open(O_CREAT)+write(1 KiB)+close, then unlink. */
    static long createUnlink(P9Client c, int id, long n) throws IOException {
        String name = "bench-create-" + id;
        c.walk(0, 5);
        c.lcreate(5, name, P9.DOTL_CREATE | P9.DOTL_WRONLY | P9.DOTL_TRUNC, 0644, 0);
        c.walk(0, 6, name);
        c.getattr(6);
        c.write(5, 0, ONE_K);
        c.clunk(5);
        c.clunk(6);
        unlink(c, name);
        return 1;
    }

    /** Set once a server has answered Tunlinkat with EOPNOTSUPP (diod does). */
    private static volatile boolean noUnlinkat;

    /** Tunlinkat, or walk + Tremove where the server lacks it, as the Linux client falls back. */
    static void unlink(P9Client c, String name) throws IOException {
        if (!noUnlinkat) {
            try {
                c.unlinkat(0, name, 0);
                return;
            } catch (RlerrorException e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                noUnlinkat = true;
            }
        }
        c.walk(0, 7, name);
        c.remove(7);
    }

    static long readdir(P9Client c, int id, long n) throws IOException {
        c.walk(0, 4, "bench-list");
        c.lopen(4, P9.DOTL_RDONLY | P9.DOTL_DIRECTORY);
        long entries = 0, offset = 0;
        while (true) {
            var batch = c.readdir(4, offset, c.msize() - P9.IOHDRSZ); // as the Linux client asks
            if (batch.isEmpty()) {
                break;
            }
            entries += batch.size();
            offset = batch.getLast().offset();
        }
        c.clunk(4);
        return entries;
    }

    /** Bytes per Tread or Twrite: the most the negotiated msize carries, at most 512 KiB. */
    static int chunk(P9Client c) {
        return Math.min(512 * 1024, c.msize() - P9.IOHDRSZ);
    }

    static long read(P9Client c, int id, long n) throws IOException {
        int chunk = chunk(c);
        return c.read(2, (n * chunk) % (64 << 20), chunk).length;
    }

    static long write(P9Client c, int id, long n) throws IOException {
        int chunk = chunk(c);
        return c.write(3, (n * chunk) % (64 << 20), new byte[chunk]);
    }

    static P9Client connect(Server server, String socket, Path tmp) throws IOException {
        if (socket != null) {
            return P9Client.of(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        }
        Path p = Files.createTempFile("p9bench", ".sock");
        Files.delete(p);
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(UnixDomainSocketAddress.of(p));
            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p));
            server.start(l.accept());
            return P9Client.of(c);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    static void run(Server server, String socket, Path dir, int clients, double seconds, String name, Op op,
            boolean bytes) throws Exception {
        List<P9Client> cs = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            P9Client c = connect(server, socket, dir);
            c.version(P9.MAX_MSIZE);
            c.attach(0, P9.NOFID, "root", dir.toString(), 0);
            c.walk(0, 2, "bench-read");
            c.lopen(2, P9.DOTL_RDONLY);
            c.walk(0, 3);
            c.lcreate(3, "bench-write-" + k, P9.DOTL_CREATE | P9.DOTL_RDWR, 0644, 0);
            cs.add(c);
        }
        AtomicLong total = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long warm = System.nanoTime() + (long) (seconds * 0.3e9);
        List<Thread> ts = new ArrayList<>();
        long[] start = new long[1];
        for (int k = 0; k < clients; k++) {
            P9Client c = cs.get(k);
            int id = k;
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    long n = 0, sum = 0;
                    while (System.nanoTime() < warm) {
                        op.once(c, id, n++);
                    }
                    while (System.nanoTime() < deadline) {
                        sum += op.once(c, id, n++);
                    }
                    total.addAndGet(sum);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        double secs = seconds * 0.7;
        if (bytes) {
            System.out.printf("%-22s clients=%2d  %10.1f MB/s%n", name, clients, total.get() / secs / 1e6);
        } else {
            System.out.printf("%-22s clients=%2d  %10.0f per s%n", name, clients, total.get() / secs);
        }
        for (int k = 0; k < clients; k++) {
            try {
                unlink(cs.get(k), "bench-write-" + k);
            } catch (IOException e) {
                Files.deleteIfExists(dir.resolve("bench-write-" + k));
            }
            cs.get(k).close();
        }
    }
}
