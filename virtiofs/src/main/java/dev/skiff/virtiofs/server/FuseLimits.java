package dev.skiff.virtiofs.server;

/**
 * The limits of one FUSE session, each named.
 *
 * @param maxWrite the largest WRITE (and READ) payload, told to the kernel at INIT
 * @param maxPages pages per request (FUSE_MAX_PAGES), maxWrite / 4 KiB
 * @param maxNodes node ids known at once (each holds an O_PATH descriptor); more is ENFILE
 * @param maxHandles open file handles at once; more is EMFILE
 * @param maxInFlight requests served at once on the request queue (also the kernel's max_background)
 */
public record FuseLimits(int maxWrite, int maxPages, int maxNodes, int maxHandles, int maxInFlight) {
    public static final FuseLimits DEFAULT = new FuseLimits(1 << 20, 256, 1 << 16, 1 << 14, 64);

    /** Header room besides the payload: a WRITE is fuse_in_header + fuse_write_in + data. */
    static final int HEADROOM = 4096;

    public FuseLimits {
        if (maxWrite < 4096 || maxPages < 1 || maxPages > 0xffff || maxNodes < 1 || maxHandles < 1
                || maxInFlight < 1 || maxInFlight > 0xffff) {
            throw new IllegalArgumentException("bad FUSE limits " + maxWrite + "/" + maxPages + "/"
                    + maxNodes + "/" + maxHandles + "/" + maxInFlight);
        }
    }

    /** The largest request accepted: max_write plus room for the header and the write struct. */
    public int maxRequest() {
        return maxWrite + HEADROOM;
    }
}
