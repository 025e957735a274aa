package dev.skiff.p9.client;

import dev.skiff.sys.Errno;
import java.io.IOException;

/** The server answered a request with Rlerror: the Linux errno it gave. */
public final class RlerrorException extends IOException {
    private final int errno;

    public RlerrorException(String request, int errno) {
        super("9P " + request + " failed: " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
