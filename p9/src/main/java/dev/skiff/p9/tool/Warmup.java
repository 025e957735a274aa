package dev.skiff.p9.tool;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.p9.wire.DirEntry;
import dev.skiff.p9.wire.P9;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Before the first real client, runs the server's common request paths (walk, getattr, lopen,
 * readdir, lcreate, write, read, clunk, unlinkat) a few hundred times over an in-process pipe,
 * against a throwaway directory served by a throwaway server, so that the JIT has compiled
 * them. Without it a one-off operation such as listing one directory runs in the bytecode
 * interpreter, a cost a C server does not pay (it showed in the benchmark's readdir figure).
 * The real export is never touched; any failure just ends the warm-up.
 */
final class Warmup {
    private Warmup() {}

    /**
     * Rounds of the request mix. C1 compiles a method once it has been called about 200 times
     * (HotSpot's Tier3InvocationThreshold), and most handlers run once per round, so fewer
     * rounds would leave them in the interpreter for the first real requests.
     */
    static final int ROUNDS = 250, FILES = 128;
    private static final System.Logger LOG = System.getLogger("dev.skiff.p9.tool");

    interface Backend {
        FileSystem open(Path dir) throws IOException;
    }

    static void run(Backend backend) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("skiff-p9-warmup");
            for (int i = 0; i < FILES; i++) {
                Files.writeString(dir.resolve("file-" + i), "warm");
            }
            try (FileSystem fs = backend.open(dir)) {
                exercise(new Server(new Export(dir.toString(), fs, false, null)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "warm-up stopped: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (dir != null) {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException ignored) {
                    // a leftover temp directory is harmless
                }
            }
        }
    }

    private static void exercise(Server server) throws IOException, InterruptedException {
        Pipe toServer = Pipe.open();
        Pipe toClient = Pipe.open();
        Thread t = Thread.ofVirtual().name("p9-warmup").start(() -> server.serve(
                Channels.newInputStream(toServer.source()), Channels.newOutputStream(toClient.sink()),
                () -> {
                    toServer.source().close();
                    toClient.sink().close();
                }, "warmup"));
        byte[] data = new byte[64 * 1024];
        byte[] small = new byte[1024];
        try (P9Client c = new P9Client(Channels.newInputStream(toClient.source()),
                Channels.newOutputStream(toServer.sink()), () -> {
                    toServer.sink().close();
                    toClient.source().close();
                })) {
            c.version(P9.MAX_MSIZE);
            c.attach(0, P9.NOFID, "warmup", "", -1);
            for (int i = 0; i < ROUNDS; i++) {
                c.walk(0, 1);
                c.getattr(1);
                c.lopen(1, P9.DOTL_RDONLY | P9.DOTL_DIRECTORY);
                List<DirEntry> all = c.readdir(1, 0, c.msize() - P9.IOHDRSZ);
                c.readdir(1, all.getLast().offset(), c.msize() - P9.IOHDRSZ);
                c.clunk(1);
                String name = "file-" + (i % FILES);
                c.walk(0, 2, name);
                c.getattr(2);
                c.lopen(2, P9.DOTL_RDONLY);
                c.read(2, 0, 4096);
                c.clunk(2);
                // What the Linux client sends for open(O_CREAT), write and close, then for stat:
                // a failed lookup, a clone walk, Tlcreate, a walk to the new name, Tgetattr.
                try {
                    c.walk(0, 4, "new");
                } catch (IOException expected) {
                    // ENOENT: the error path is part of every create
                }
                c.walk(0, 3);
                c.lcreate(3, "new", P9.DOTL_CREATE | P9.DOTL_WRONLY | P9.DOTL_TRUNC, 0644, -1);
                c.walk(0, 4, "new");
                c.getattr(4);
                c.write(3, 0, i % 2 == 0 ? data : small);
                c.clunk(3);
                c.getattr(4);
                c.clunk(4);
                c.unlinkat(0, "new", 0);
                c.statfs(0);
            }
        }
        t.join();
    }
}
