package dev.skiff.cli;

import dev.skiff.agent.api.SkiffVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code skiff}: the entry point the ./skiff launcher runs. */
@Command(name = "skiff", mixinStandardHelpOptions = true, version = "skiff " + SkiffVersion.VERSION,
        description = {"Linux containers in lightweight VMs.",
                "  run ARGS...   docker run against Skiff (starts the daemon if needed)"},
        subcommands = {DaemonCommand.class, InfoCommand.class, EnvCommand.class, GuestCommand.class, VmCommand.class,
                AgentCommand.class, NinePCommand.class, VirtioFsCommand.class, LayerCommand.class})
public final class Main {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            // Every docker run option passes through unparsed to the docker CLI; see RunCommand.
            try {
                System.exit(RunCommand.run(java.util.List.of(args).subList(1, args.length)));
            } catch (Exception e) {
                System.err.println("skiff: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                System.exit(125);
            }
        }
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
