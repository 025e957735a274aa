package dev.skiff.engine.network.fabric;

/** Where a segment sends frames: one VM's NIC on one network. */
public interface Port {
    /** The VM's name, unique within a segment. */
    String name();

    /**
     * Queues a frame for the VM and returns at once; false when it was dropped (queue full, or
     * the port closed). The array is shared between ports and must not be changed.
     */
    boolean offer(byte[] frame);
}
