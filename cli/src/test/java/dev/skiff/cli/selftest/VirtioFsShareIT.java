package dev.skiff.cli.selftest;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.virtiofs.device.VirtioFsServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link FolderShareTests} over Skiff's virtio-fs back-end: each share a vhost-user-fs device of
 * its own, hot-plugged into a guest whose RAM is a shared memfd, served by a
 * {@link VirtioFsServer} over {@link Passthrough}, mounted by the kernel's virtiofs client.
 */
class VirtioFsShareIT extends FolderShareTests {
    private static final List<VirtioFsServer> servers = new ArrayList<>();

    @BeforeAll
    static void bootAndMount() throws Exception {
        bootGuest("it-vfs");
        serve("vfs-a", export, false);
        serve("vfs-b", export, false);
        serve("vfs-ro", roExport, true);
        guest.call("MOUNTVFS", "vfs-a", "/mnt/a");
        guest.call("MOUNTVFS", "vfs-b", "/mnt/b");
        guest.call("MOUNTVFS", "vfs-ro", "/mnt/ro");
    }

    /** The back-end listens first: QEMU connects and negotiates while it plugs the device. */
    private static void serve(String tag, Path dir, boolean readOnly) throws Exception {
        VirtioFsServer server = VirtioFsServer.listen(guest.vm().filesystemSocket(tag), tag, new Passthrough(dir), readOnly);
        servers.add(server);
        server.start("vfs-" + tag);
        guest.vm().hotplugFilesystem(tag);
    }

    @AfterAll
    static void closeServers() {
        servers.forEach(VirtioFsServer::close);
    }

    @Override
    String blockedLockFunction() {
        return "request_wait_answer";
    }

    @Override
    boolean interruptsBlockedLocks() {
        return false;
    }
}
