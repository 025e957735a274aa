package dev.skiff.cli.selftest;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link FolderShareTests} over Skiff's 9P server: each share on a hot-plugged virtio-serial port,
 * relayed in the guest to a socketpair and mounted with trans=fd.
 */
class NinePShareIT extends FolderShareTests {
    @BeforeAll
    static void bootAndMount() throws Exception {
        bootGuest("it-9p");
        Server rw = new Server(new Export(export.toString(), new Passthrough(export), false, null));
        Server ro = new Server(new Export(roExport.toString(), new Passthrough(roExport), true, null));
        for (var share : Map.of("p9.a", rw, "p9.b", rw, "p9.ro", ro).entrySet()) {
            SocketChannel ch = (SocketChannel) guest.vm().hotplugChannel(share.getKey()).connect();
            share.getValue().start(ch);
        }
        guest.call("MOUNT9P", "p9.a", export.toString(), "/mnt/a");
        guest.call("MOUNT9P", "p9.b", export.toString(), "/mnt/b");
        guest.call("MOUNT9P", "p9.ro", "-", "/mnt/ro");
    }

    @Override
    String blockedLockFunction() {
        return "p9_client_rpc";
    }

    @Override
    boolean interruptsBlockedLocks() {
        return true;
    }
}
