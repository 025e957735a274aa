package dev.skiff.p9.tool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code skiff 9p bench [--socket PATH] [--seconds S] DIR}: the micro-benchmark of the server
 * alone ({@link Bench}): Java clients over unix-domain sockets, ops/s for walk+getattr+clunk,
 * create+write+unlink and readdir, read/write MB/s, at 1 and 16 concurrent clients. DIR is a
 * scratch directory; the benchmark writes a 64 MiB file and a few hundred entries into it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the 9P server alone, from Java clients over unix sockets.")
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Measure a server already listening on this unix socket (its export must be DIR) instead of one in this process.")
    String socket;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3", description = "Seconds per figure (default ${DEFAULT-VALUE}).")
    double seconds;

    @Parameters(index = "0", paramLabel = "DIR", description = "A scratch directory (the export).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), dir + " is not a directory; pass a scratch directory");
        }
        List<String> args = new ArrayList<>();
        if (socket != null) {
            args.add("--socket");
            args.add(socket);
        }
        args.add(dir.toString());
        args.add(Double.toString(seconds));
        Bench.main(args.toArray(String[]::new));
        return 0;
    }
}
