package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.Echoes;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.virtiofs.device.VirtioFsServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Virtio-fs back-ends in this process: they end with it, and a share cannot be taken up by a
 * later process ({@link #adopt} refuses). The {@link ShareHost} uses one for the shares it holds.
 */
public final class InProcessBackends implements VirtioFsBackends {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs");

    @Override
    public Served serve(ShareSpec spec) throws IOException {
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(spec.dir()), spec.echoWindow(), spec.replayUid());
        VirtioFsServer server;
        try {
            server = VirtioFsServer.listen(spec.socket(), spec.tag(), fs, spec.readOnly());
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
        Served s = new Served(spec, fs, server);
        server.start(spec.vm() + "-" + spec.tag()).whenComplete((end, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, spec.vm() + ": virtio-fs " + spec.tag() + " stopped: " + e.getMessage());
            }
            s.ended();
        });
        return s;
    }

    @Override
    public ServedShare adopt(String vm, String tag) throws IOException {
        throw new IOException("virtio-fs share " + tag + " of VM " + vm + " was served inside the daemon that ended; "
                + "its mount cannot be served again (restart the container)");
    }

    @Override
    public void releaseEarlier(String vm, String tag) {
        // an earlier process's back-ends ended with it
    }

    /** A share served here; its file system closes once its session has ended and it is closed. */
    public static final class Served implements ServedShare {
        private final ShareSpec spec;
        private final ReplayingFileSystem fs;
        private final VirtioFsServer server;
        private final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();

        Served(ShareSpec spec, ReplayingFileSystem fs, VirtioFsServer server) {
            this.spec = spec;
            this.fs = fs;
            this.server = server;
        }

        private void ended() {
            closeFs();
            ended.complete(null);
        }

        /** Completes when the session has ended (QEMU went, or {@link #close}) and the export's root is closed. */
        public java.util.concurrent.CompletableFuture<Void> whenEnded() {
            return ended;
        }

        public ShareSpec spec() {
            return spec;
        }

        @Override
        public Path dir() {
            return spec.dir();
        }

        @Override
        public boolean readOnly() {
            return spec.readOnly();
        }

        @Override
        public Echoes echoes() {
            return fs.echoes();
        }

        @Override
        public Expectation expect(List<HostChange> changes) {
            return fs.expect(changes);
        }

        @Override
        public void close() {
            server.close();
            closeFs();
        }

        private void closeFs() {
            try {
                fs.close(); // the export's root descriptor; closing twice is harmless
            } catch (IOException ignored) {
                // a failed close has released the descriptor all the same
            }
        }
    }
}
