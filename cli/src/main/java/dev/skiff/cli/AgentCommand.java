package dev.skiff.cli;

import dev.skiff.cli.agent.AgentBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The guest agent, seen from the host. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "The guest agent.",
        subcommands = {AgentCommand.BenchCmd.class})
public final class AgentCommand {
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Time start-to-exit of busybox true in a warm VM through the agent against runc run in the same VM.")
    static final class BenchCmd implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "5", description = "Runs of each kind (default ${DEFAULT-VALUE}).")
        int runs;

        @Override
        public Integer call() throws Exception {
            AgentBenchmark.run(runs, System.out);
            return 0;
        }
    }
}
