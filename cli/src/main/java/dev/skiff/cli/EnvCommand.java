package dev.skiff.cli;

import dev.skiff.cli.daemon.DaemonPaths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code skiff env}: point the docker CLI at Skiff with {@code eval "$(./skiff env)"}. */
@Command(name = "env", mixinStandardHelpOptions = true,
        description = "Print the shell line that points the docker CLI at Skiff: eval \"$(./skiff env)\".")
final class EnvCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("export DOCKER_HOST=unix://" + DaemonPaths.socket());
        return 0;
    }
}
