package dev.skiff.ttrpc;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One daemon timer thread shared by all clients and servers, to fire call deadlines. */
final class Deadlines {
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "ttrpc-deadlines");
        t.setDaemon(true);
        return t;
    });

    static {
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private Deadlines() {}

    /** Runs {@code action} after {@code delay} (at once if it is not positive). */
    static ScheduledFuture<?> schedule(Duration delay, Runnable action) {
        long nanos = Math.max(0, saturatedNanos(delay));
        return TIMER.schedule(action, nanos, TimeUnit.NANOSECONDS);
    }

    /** A duration in nanoseconds, clamped to the range of a long. */
    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
