package dev.skiff.vm;

/**
 * Where a hot-plugged disk went, which the guest needs to know: a SCSI disk needs the SCSI
 * drivers, which a guest loads only when it gets its first one.
 */
public enum DiskBus {
    /** virtio-blk, a PCI slot of its own: found at once by a guest that has just booted. */
    PCI,
    /** A target of the VM's virtio-scsi controller: one slot for hundreds of disks. */
    SCSI
}
