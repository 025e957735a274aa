package dev.skiff.cli;

import dev.skiff.cli.daemon.Daemon;
import dev.skiff.cli.daemon.DaemonPaths;
import dev.skiff.cli.daemon.DaemonClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code skiff info}: which VMs run and which container is where. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the running VMs and their containers.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        if (!Daemon.answers(DaemonPaths.socket())) {
            System.out.println("no Skiff daemon answers on " + DaemonPaths.socket() + "; start one with ./skiff daemon (or ./skiff run ...)");
            return 1;
        }
        System.out.print(DaemonClient.vmTable(DaemonPaths.socket()));
        return 0;
    }
}
