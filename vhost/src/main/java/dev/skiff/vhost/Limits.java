package dev.skiff.vhost;

/** Every limit of this back-end, named once. */
public final class Limits {
    private Limits() {}

    /** The largest message payload accepted (rust-vmm caps messages at 4 KiB too). */
    public static final int MAX_PAYLOAD = 4096;
    /** Descriptors made room for per message; more is refused (the kernel drops the excess). */
    public static final int MAX_FDS_PER_MESSAGE = 32;
    /** Regions in one SET_MEM_TABLE: QEMU's VHOST_MEMORY_BASELINE_NREGIONS. */
    public static final int MAX_MEM_REGIONS = 8;
    /** The largest split queue: virtio's maximum Queue Size (virtiofsd asks for 32768). */
    public static final int MAX_QUEUE_SIZE = 32768;
    /** The most entries an indirect table may have; as many as a queue may have descriptors. */
    public static final int MAX_INDIRECT_ENTRIES = MAX_QUEUE_SIZE;
    /** The largest total length of one chain: the used ring's {@code len} is a le32. */
    public static final long MAX_CHAIN_BYTES = 0xFFFF_FFFFL;
    /** The largest config space read (QEMU's VHOST_USER_MAX_CONFIG_SIZE). */
    public static final int MAX_CONFIG_SIZE = 256;
    /** The most queues a device may have (vring indexes in KICK/CALL/ERR are 8 bits). */
    public static final int MAX_QUEUES = 256;
}
