package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.replay.ReplayTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a daemon's virtio-fs back-ends run. QEMU 7.2's vhost-user-fs device cannot take a new
 * back-end once its own has gone, so a back-end must live as long as its VM's mount, not as long
 * as the daemon that made it: {@link ShareHostClient} runs them in a {@link ShareHost} process
 * that outlives a daemon's restart (even a {@code kill -9}), and a new daemon {@link #adopt}s
 * them. {@link InProcessBackends} runs them in the caller's process, for tests and tools.
 */
public interface VirtioFsBackends {
    /**
     * Serves {@code spec.dir()} over virtio-fs on a back-end listening on {@code spec.socket()}
     * before this returns, for QEMU to connect to as the device is plugged.
     */
    ServedShare serve(ShareSpec spec) throws IOException;

    /** The share an earlier daemon had served for this VM's device {@code tag}, if it is still served. */
    ServedShare adopt(String vm, String tag) throws IOException;

    /**
     * Ends the back-end an earlier daemon left serving this VM's device {@code tag}, if one still
     * serves it. Starts nothing: with no back-ends running there is nothing to end.
     */
    void releaseEarlier(String vm, String tag) throws IOException;

    /**
     * One folder served to one VM's virtio-fs device.
     *
     * @param vm         the VM's name, unique among the daemon's VMs
     * @param tag        the device's mount tag, unique in its VM
     * @param replayUid  the uid the guest's agent replays host changes as
     * @param echoWindow how long a change the guest made counts as the cause of a host event
     */
    record ShareSpec(String vm, String tag, Path socket, Path dir, boolean readOnly, int replayUid, Duration echoWindow) {}

    /** A served share: the replay side of its file system, and its end. */
    interface ServedShare extends ReplayTarget, AutoCloseable {
        /** The folder it serves. */
        Path dir();

        boolean readOnly();

        /** Ends the back-end: its session (QEMU sees the socket close), its open files and its root. */
        @Override
        void close();
    }
}
