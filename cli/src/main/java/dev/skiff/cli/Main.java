package dev.skiff.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code skiff}: the entry point the ./skiff launcher runs. */
@Command(name = "skiff", mixinStandardHelpOptions = true, version = "skiff 0.1.0",
        description = "Linux containers in lightweight VMs.",
        subcommands = {GuestCommand.class, VmCommand.class, AgentCommand.class, NinePCommand.class, LayerCommand.class})
public final class Main {
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("skiff: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("SKIFF_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
