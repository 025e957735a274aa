package dev.skiff.p9.tool;

import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.mapped.Mapped;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Limits;
import dev.skiff.p9.server.Server;
import dev.skiff.p9.server.Stats;
import dev.skiff.p9.wire.P9;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skiff 9p serve [--read-only] [--mapped] [--listen unix:PATH|tcp:127.0.0.1:PORT] DIR}:
 * serves DIR over 9P2000.L. With no --listen it serves one session on stdin/stdout, so that it
 * can be the server command of a relay (the benchmark's {@code SERVER_CMD}) and nothing else
 * may write to stdout. The aname at attach may be DIR's absolute path or empty.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve DIR over 9P2000.L.")
public final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--read-only", description = "Refuse every change with EROFS.")
    boolean readOnly;

    @Option(names = "--mapped", description = "Keep mode, owner, device numbers and symlinks in user.virtfs.* xattrs (for hosts without POSIX metadata).")
    boolean mapped;

    @Option(names = "--listen", paramLabel = "unix:PATH|tcp:127.0.0.1:PORT",
            description = "Accept connections here instead of serving stdin/stdout.")
    String listen;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "Require clients to write this file's contents to an afid before attach.")
    Path secretFile;

    @Option(names = "--msize", paramLabel = "BYTES",
            description = "The largest msize to agree to (4096..1048576; default ${DEFAULT-VALUE}). Clients ask; the smaller wins.")
    int msize = Limits.DEFAULT_MSIZE;

    @Option(names = "--no-warmup", description = "Serve at once, without first exercising the request paths on a throwaway directory.")
    boolean noWarmup;

    @Option(names = "--stats", paramLabel = "FILE",
            description = "Time every request and write, at exit, per message type: count, mean, p50 and p99 service time in microseconds, and the idle time between requests.")
    Path statsFile;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to export.")
    Path dir;

    /** The listening channel while serving with --listen (closed to stop; used by tests). */
    volatile java.nio.channels.ServerSocketChannel listener;
    /** Counted down once --listen's socket is bound (used by tests to wait for the server). */
    final java.util.concurrent.CountDownLatch bound = new java.util.concurrent.CountDownLatch(1);

    @Override
    public Integer call() throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    root + " is not a directory; pass an existing directory to export");
        }
        if (msize < P9.MIN_MSIZE || msize > P9.MAX_MSIZE) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--msize must be between " + P9.MIN_MSIZE + " and " + P9.MAX_MSIZE + ", not " + msize);
        }
        byte[] secret = secretFile == null ? null : Files.readAllBytes(secretFile);
        FileSystem fs = mapped ? new Mapped(root) : new Passthrough(root);
        Stats stats = statsFile == null ? null : statsAtExit(statsFile);
        Server server = new Server(new Export(root.toString(), fs, readOnly, secret), Limits.DEFAULT.withMaxMsize(msize), stats);
        if (!noWarmup) {
            Warmup.run(d -> mapped ? new Mapped(d) : new Passthrough(d));
        }
        if (stats != null) {
            stats.start();
        }
        if (listen == null) {
            FileInputStream in = new FileInputStream(FileDescriptor.in);
            FileOutputStream out = new FileOutputStream(FileDescriptor.out);
            // Keep stray prints off the protocol stream.
            System.setOut(new java.io.PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
            server.serve(in, out, () -> { in.close(); out.close(); }, "stdio");
            return 0;
        }
        try (var l = open(listen)) {
            listener = l;
            bound.countDown();
            server.listen(l);
        }
        return 0;
    }

    /** A Stats written to {@code file} when the process ends (end of input, SIGTERM, SIGINT). */
    private static Stats statsAtExit(Path file) {
        Stats stats = new Stats();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var out = new java.io.PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
                stats.print(out);
            } catch (IOException e) {
                System.err.println("skiff: failed to write 9P stats to " + file + ": " + e.getMessage());
            }
            Path timeline = file.resolveSibling(file.getFileName() + ".timeline");
            try (var out = new java.io.PrintStream(Files.newOutputStream(timeline), false, StandardCharsets.UTF_8)) {
                stats.printTimeline(out);
            } catch (IOException e) {
                System.err.println("skiff: failed to write 9P stats to " + file + ": " + e.getMessage());
            }
        }, "p9-stats"));
        return stats;
    }

    private java.nio.channels.ServerSocketChannel open(String spec) throws IOException {
        if (spec.startsWith("unix:")) {
            Path p = Path.of(spec.substring(5));
            Files.deleteIfExists(p);
            var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(p));
            return ch;
        }
        if (spec.startsWith("tcp:")) {
            String hp = spec.substring(4);
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw new CommandLine.ParameterException(this.spec.commandLine(),
                        "--listen tcp: needs HOST:PORT, e.g. tcp:127.0.0.1:5640");
            }
            InetAddress host = InetAddress.getByName(hp.substring(0, colon));
            if (!host.isLoopbackAddress()) {
                throw new CommandLine.ParameterException(this.spec.commandLine(),
                        "--listen tcp: accepts only a loopback address; 9P has no transport security");
            }
            var ch = java.nio.channels.ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(host, Integer.parseInt(hp.substring(colon + 1))));
            return ch;
        }
        throw new CommandLine.ParameterException(this.spec.commandLine(),
                "--listen must be unix:PATH or tcp:127.0.0.1:PORT, not " + spec);
    }

    /** Runs the command standalone: {@code java -cp ... dev.skiff.p9.tool.ServeCommand DIR}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
