package dev.skiff.cli;

import dev.skiff.cli.daemon.DaemonClient;
import dev.skiff.cli.daemon.DaemonPaths;
import java.util.List;

/**
 * {@code skiff run ...}: docker run against Skiff. Starts a daemon when none answers (building
 * what it needs on first use, with progress), then hands the arguments to the docker CLI pointed
 * at Skiff's socket, so every docker run option behaves as the user knows it.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(List<String> args) throws Exception {
        var socket = DaemonPaths.socket();
        DaemonClient.ensureDaemon(socket, System.err);
        String docker = DaemonClient.dockerCli();
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().addAll(List.of(docker, "-H", "unix://" + socket, "run"));
        pb.command().addAll(args);
        return pb.inheritIO().start().waitFor();
    }
}
