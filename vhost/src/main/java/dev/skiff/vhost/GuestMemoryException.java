package dev.skiff.vhost;

import java.io.IOException;

/** An address range that does not lie entirely inside one region of guest memory. */
public final class GuestMemoryException extends IOException {
    public GuestMemoryException(String message) {
        super(message);
    }
}
