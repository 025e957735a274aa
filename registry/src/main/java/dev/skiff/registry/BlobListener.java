package dev.skiff.registry;

import java.time.Duration;

/** Hears how a blob transfer goes, for Docker's progress stream. Called on the transferring thread. */
public interface BlobListener {
    BlobListener NONE = new BlobListener() { };

    /** {@code done} of {@code total} bytes have passed (at most every 64 KiB; total from the descriptor). */
    default void progress(long done, long total) { }

    /**
     * An attempt failed; the next starts after {@code wait} (Docker: "Retrying in N seconds") and resumes
     * at the bytes already read when the registry honours {@code Range}.
     *
     * @param attempt the attempt that failed, from 1
     */
    default void retrying(int attempt, Duration wait, Exception cause) { }
}
