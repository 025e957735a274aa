package dev.skiff.engine.placement;

import dev.skiff.virtiofs.host.InProcessBackends;
import dev.skiff.virtiofs.host.VirtioFsBackends;

/**
 * How a daemon's VMs serve bind mounts: the transport it prefers (virtio-fs where a VM's RAM is
 * shared memory, 9P otherwise) and where virtio-fs back-ends run (in a share host that outlives
 * the daemon, for a daemon; in this process, for tests and tools).
 */
public record FileSharing(ShareTransport preferred, VirtioFsBackends virtioFs) {
    /** 9P only, as a VM driven without a daemon has it. */
    public static FileSharing ninePOnly() {
        return new FileSharing(ShareTransport.NINE_P, new InProcessBackends());
    }
}
