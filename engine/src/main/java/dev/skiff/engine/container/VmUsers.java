package dev.skiff.engine.container;

import java.time.Duration;

/**
 * Keeps docker cp and the release of a container's VM apart. A copy that began ends before the
 * VM is stopped or the container is taken out of it; a copy that begins during a release waits
 * for it and then gets the container's next VM. Without it, the dedicated VM that stops when its
 * container exits cut a {@code docker cp} begun a moment after the exit, which the CLI reported
 * as "unexpected EOF".
 *
 * <p>A release waits for the copies at most {@code patience}: a client that stalls its copy must
 * not keep a stopped container's VM, and its exit handling, forever. It then goes ahead and the
 * copy fails.
 */
public final class VmUsers {
    private final Duration patience;
    private int users; // guarded by this
    private boolean releasing; // guarded by this

    public VmUsers(Duration patience) {
        this.patience = patience;
    }

    /** A copy begins: waits for a release in progress to end. */
    public synchronized void enter() {
        boolean interrupted = false;
        while (releasing) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        users++;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A copy ended (each {@link #enter} is matched by one call). */
    public synchronized void leave() {
        if (users == 0) {
            throw new IllegalStateException("leave without enter");
        }
        users--;
        notifyAll();
    }

    /**
     * A release begins: new copies wait, and this waits for the running ones, up to the patience.
     *
     * @return whether the copies ended in time (false: some are still running and will fail)
     */
    public synchronized boolean beginRelease() {
        releasing = true;
        long deadline = System.nanoTime() + patience.toNanos();
        boolean interrupted = false;
        try {
            while (users > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The release ended: waiting copies go on, on whatever VM the container has now. */
    public synchronized void endRelease() {
        releasing = false;
        notifyAll();
    }

    /** How long a release waits for the copies. */
    public Duration patience() {
        return patience;
    }

    /** Copies in progress, for tests and logs. */
    public synchronized int users() {
        return users;
    }
}
