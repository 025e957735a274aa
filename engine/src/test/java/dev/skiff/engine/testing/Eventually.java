package dev.skiff.engine.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests for what the engine does on its own threads (exits, restarts, VM releases, a
 * client's departure): polls a condition every 10 ms for at most 10 s. The test's outcome is the
 * condition, never the wait.
 */
public final class Eventually {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private Eventually() {}

    /** Whether the condition came to hold within the limit. */
    public static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Waits for the condition; an AssertionError naming {@code what} if it does not come. */
    public static void await(String what, BooleanSupplier condition) {
        try {
            if (!eventually(condition)) {
                throw new AssertionError("timed out after " + LIMIT.toSeconds() + " s waiting for: " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for: " + what, e);
        }
    }
}
