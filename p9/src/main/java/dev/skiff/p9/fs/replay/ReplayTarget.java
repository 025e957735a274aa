package dev.skiff.p9.fs.replay;

import java.io.IOException;
import java.util.List;

/**
 * A share's server as a host watcher drives it: what the share's guest changed itself, and the
 * changes its guest is about to replay. {@link ReplayingFileSystem} is one in the server's own
 * process; a share served by another process is one through that process's control connection.
 */
public interface ReplayTarget {
    /** The share's own recent changes, which a host watcher must not echo back to its guest. */
    Echoes echoes();

    /**
     * Expects the guest to replay {@code changes}; closing the returned expectation withdraws
     * whatever the guest did not do. Changes the server cannot resolve are reported skipped.
     */
    Expectation expect(List<HostChange> changes) throws IOException;

    /** One batch of awaited replays; see {@link #expect}. */
    interface Expectation extends AutoCloseable {
        /** The changes that will not be awaited (their paths no longer resolve): not to replay. */
        List<HostChange> skipped();

        @Override
        void close();
    }
}
