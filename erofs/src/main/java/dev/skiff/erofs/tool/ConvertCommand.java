package dev.skiff.erofs.tool;

import dev.skiff.erofs.LayerConverter;
import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code skiff layer convert IN.tar OUT.erofs}: turns a layer tar (plain, gzip or zstd) into an EROFS image. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a layer tar (plain, gzip or zstd) to an EROFS image.")
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.tar", description = "the layer tar, '-' for standard input")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT.erofs", description = "the image to write (replaced if it exists)")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        try {
            Summary s = in.toString().equals("-") ? LayerConverter.convert(System.in, out)
                    : LayerConverter.convert(in, out);
            stdout.printf("entries %d, bytes in %d, bytes out %d, seconds %.3f%n", s.entries(), s.bytesIn(),
                    s.bytesOut(), s.seconds());
            if (s.droppedXattrs() > 0) {
                stdout.printf("note: %d xattrs outside user./trusted./security./system.posix_acl_* were left out%n",
                        s.droppedXattrs());
            }
            stdout.flush();
            return 0;
        } catch (LayerException e) {
            stderr.println("skiff layer convert: failed to convert " + in + ": " + e.getMessage());
            stderr.flush();
            return 1;
        } catch (IOException e) {
            stderr.println("skiff layer convert: failed to convert " + in + " to " + out + ": " + e);
            stderr.flush();
            return 1;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConvertCommand()).execute(args));
    }
}
