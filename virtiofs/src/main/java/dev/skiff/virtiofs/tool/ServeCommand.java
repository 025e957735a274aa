package dev.skiff.virtiofs.tool;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.vhost.SessionEnd;
import dev.skiff.virtiofs.device.VirtioFsDevice;
import dev.skiff.virtiofs.device.VirtioFsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve --socket PATH --dir DIR --tag TAG [--read-only]}: serves DIR over virtio-fs to one
 * QEMU started with {@code -chardev socket,id=fs0,path=PATH -device
 * vhost-user-fs-pci,chardev=fs0,tag=TAG} (and shared guest memory, e.g. {@code -object
 * memory-backend-memfd,id=mem,size=...,share=on -numa node,memdev=mem}); the guest mounts it with
 * {@code mount -t virtiofs TAG /mnt}. Exits when QEMU disconnects.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve DIR over virtio-fs (vhost-user).")
public final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "The unix socket to listen on for QEMU.")
    Path socket;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory to export.")
    Path dir;

    @Option(names = "--tag", required = true, paramLabel = "TAG", description = "The mount tag (1 to 36 bytes).")
    String tag;

    @Option(names = "--read-only", description = "Refuse every change with EROFS.")
    boolean readOnly;

    /** The server while serving (closed to stop; used by tests). */
    volatile VirtioFsServer server;
    /** Counted down once the socket listens (used by tests to wait for the server). */
    final CountDownLatch listening = new CountDownLatch(1);

    @Override
    public Integer call() throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    root + " is not a directory; pass an existing directory to export");
        }
        int tagBytes = tag.getBytes(StandardCharsets.UTF_8).length;
        if (tagBytes == 0 || tagBytes > VirtioFsDevice.TAG_SIZE) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tag must be 1 to " + VirtioFsDevice.TAG_SIZE + " bytes, not " + tagBytes);
        }
        try (Passthrough fs = new Passthrough(root);
                VirtioFsServer s = VirtioFsServer.listen(socket, tag, fs, readOnly)) {
            server = s;
            listening.countDown();
            System.err.println("skiff: serving " + root + " as virtio-fs tag " + tag + " on " + socket
                    + (readOnly ? " (read-only)" : ""));
            SessionEnd end = s.serve();
            System.err.println("skiff: virtio-fs session ended: " + end.kind());
            return end.kind() == SessionEnd.Kind.PEER_CLOSED || end.kind() == SessionEnd.Kind.CLOSED_LOCALLY ? 0 : 1;
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    /** Runs standalone: {@code java -cp ... dev.skiff.virtiofs.tool.ServeCommand --socket ... --dir ... --tag ...}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeCommand()).execute(args));
    }
}
