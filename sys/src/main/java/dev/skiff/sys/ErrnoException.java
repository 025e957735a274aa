package dev.skiff.sys;

import java.io.IOException;

/** A failed system call: which call, on what, and the errno it returned. */
public final class ErrnoException extends IOException {
    private final int errno;
    private final String call;

    public ErrnoException(String call, String object, int errno) {
        super("failed to " + call + (object == null || object.isEmpty() ? "" : " " + object)
                + ": " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The Linux errno value (see {@link Errno}). */
    public int errno() {
        return errno;
    }

    /** The system call that failed, e.g. {@code "mount"}. */
    public String call() {
        return call;
    }
}
