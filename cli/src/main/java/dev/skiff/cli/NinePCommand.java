package dev.skiff.cli;

import picocli.CommandLine.Command;

/** {@code skiff 9p}: the 9P2000.L file server. */
@Command(name = "9p", mixinStandardHelpOptions = true, description = "The 9P2000.L file server.",
        subcommands = {dev.skiff.p9.tool.ServeCommand.class, dev.skiff.p9.tool.BenchCommand.class})
public final class NinePCommand {}
