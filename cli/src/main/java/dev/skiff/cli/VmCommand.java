package dev.skiff.cli;

import dev.skiff.cli.selftest.BootBenchmark;
import dev.skiff.cli.selftest.Selftest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skiff vm}: utility VMs. */
@Command(name = "vm", mixinStandardHelpOptions = true, description = "Utility VMs.",
        subcommands = {VmCommand.SelftestCmd.class, VmCommand.BenchCmd.class})
public final class VmCommand {
    @Command(name = "selftest", mixinStandardHelpOptions = true,
            description = "Boot the guest image, check channels both ways, a hot-plugged channel and disk, shut down.")
    static final class SelftestCmd implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return Selftest.run(System.out) ? 0 : 1;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Time start-to-guest-ready against a bare QEMU boot of the same kernel to busybox init.")
    static final class BenchCmd implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "3", description = "Boots of each kind (default ${DEFAULT-VALUE}).")
        int runs;

        @Override
        public Integer call() throws Exception {
            BootBenchmark.run(runs, System.out);
            return 0;
        }
    }
}
