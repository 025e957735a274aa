package dev.skiff.cli;

import picocli.CommandLine.Command;

/** {@code skiff virtiofs}: the virtio-fs (FUSE over vhost-user) file server, standalone. */
@Command(name = "virtiofs", mixinStandardHelpOptions = true,
        description = "The virtio-fs file server (FUSE over vhost-user), for QEMU's vhost-user-fs-pci.",
        subcommands = {dev.skiff.virtiofs.tool.ServeCommand.class, dev.skiff.virtiofs.tool.HostCommand.class})
public final class VirtioFsCommand {}
