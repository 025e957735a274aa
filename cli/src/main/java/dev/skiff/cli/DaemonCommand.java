package dev.skiff.cli;

import dev.skiff.cli.daemon.Daemon;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code skiff daemon}: the engine and the Docker Engine API, in the foreground. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Run the engine and the Docker Engine API in the foreground (logs to stdout).")
final class DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return Daemon.run(System.out);
    }
}
