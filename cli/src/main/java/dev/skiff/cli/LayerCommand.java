package dev.skiff.cli;

import picocli.CommandLine.Command;

/** {@code skiff layer}: image layers as guest disks. */
@Command(name = "layer", mixinStandardHelpOptions = true, description = "Image layers as guest disks.",
        subcommands = {dev.skiff.erofs.tool.ConvertCommand.class})
public final class LayerCommand {}
