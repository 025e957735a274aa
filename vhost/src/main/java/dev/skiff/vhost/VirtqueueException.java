package dev.skiff.vhost;

import java.io.IOException;

/**
 * A driver broke the rules of "Split Virtqueues" (a descriptor outside guest memory, a looping
 * chain, a bad indirect table, ...). The queue stops: the virtio spec lets a device treat such a
 * driver as needing a reset, and no guess at what it meant is safe.
 */
public final class VirtqueueException extends IOException {
    public VirtqueueException(String message) {
        super(message);
    }

    public VirtqueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
