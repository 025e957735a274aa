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
    public static final Limits DEFAULT = new Limits(P9.MAX_MSIZE, 16384, 256);

    public Limits {
        if (maxMsize < P9.MIN_MSIZE || maxMsize > P9.MAX_MSIZE) {
            throw new IllegalArgumentException("msize must be within " + P9.MIN_MSIZE + ".." + P9.MAX_MSIZE);
        }
        if (maxFids < 1 || maxPending < 1) {
            throw new IllegalArgumentException("fid and pending caps must be positive");
        }
    }
}
