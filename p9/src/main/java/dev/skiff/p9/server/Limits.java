package dev.skiff.p9.server;

import dev.skiff.p9.wire.P9;

/**
 * The explicit limits of one connection.
 *
 * @param maxMsize   the largest msize negotiated (at most {@link P9#MAX_MSIZE}, 1 MiB)
 * @param maxFids    fids a connection may hold at once; beyond it, EMFILE
 * @param maxPending requests a connection may have in flight; beyond it the server stops
 *                   reading that connection until one completes (a Tlock waiting for a
 *                   conflicting lock does not count, so waiting locks cannot starve an unlock)
 */
public record Limits(int maxMsize, int maxFids, int maxPending) {
    /**
     * The msize a server offers unless told otherwise: a 128 KiB payload (the size cp, tar and
     * most streaming code read and write in) plus a page for headers. More costs the guest, not
     * the server: the Linux client sizes its buffers for Tread and Treaddir by msize, and a
     * directory listing allocates and zeroes one msize buffer per open directory (measured with
     * the shared bench under TCG: the first listing after a mount took twice as long at 500 KiB
     * as at 64 KiB). Sequential I/O gains nothing above the payload applications ask for.
     */
    public static final int DEFAULT_MSIZE = 128 * 1024 + 4096;
    /**
     * The largest iounit given for an open directory: one Rreaddir of at most 64 KiB, about 2,000
     * short names, whatever the msize (see {@code Session.dirIounit}).
     */
    public static final int DIR_IOUNIT = 64 * 1024 - P9.IOHDRSZ;
    public static final Limits DEFAULT = new Limits(DEFAULT_MSIZE, 16384, 256);

    public Limits {
        if (maxMsize < P9.MIN_MSIZE || maxMsize > P9.MAX_MSIZE) {
            throw new IllegalArgumentException("msize must be within " + P9.MIN_MSIZE + ".." + P9.MAX_MSIZE);
        }
        if (maxFids < 1 || maxPending < 1) {
            throw new IllegalArgumentException("fid and pending caps must be positive");
        }
    }

    /** These limits with another msize cap. */
    public Limits withMaxMsize(int msize) {
        return new Limits(msize, maxFids, maxPending);
    }
}
