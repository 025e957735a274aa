package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.RestartPolicy;
import java.time.Duration;

/**
 * Docker's restart policies (moby's {@code restartmanager}): which exits restart a container, which
 * stopped containers a daemon start brings back, and how long to wait between restarts.
 */
public final class RestartPolicies {
    /** The first wait; it doubles with each restart, up to {@link #MAX_DELAY}. */
    public static final Duration FIRST_DELAY = Duration.ofMillis(100);
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /** A run at least this long counts as healthy: the wait starts again at {@link #FIRST_DELAY}. */
    public static final Duration HEALTHY_RUN = Duration.ofSeconds(10);

    private RestartPolicies() {}

    /** After an exit with {@code exitCode}: whether the policy restarts it. A user's stop or kill never does. */
    public static boolean afterExit(RestartPolicy p, int exitCode, int restartCount, boolean manuallyStopped) {
        if (manuallyStopped) {
            return false;
        }
        return switch (p.name()) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && retriesLeft(p, restartCount);
            default -> false;
        };
    }

    /**
     * At daemon start, for a container that is not running: "always" comes back even after a user's stop (as
     * Docker documents), "unless-stopped" unless a user stopped it, "on-failure" after a failure with retries left.
     */
    public static boolean atDaemonStart(RestartPolicy p, int exitCode, int restartCount, boolean manuallyStopped,
                                        boolean everStarted) {
        if (!everStarted) {
            return false; // created, never started: nothing to restart
        }
        return switch (p.name()) {
            case "always" -> true;
            case "unless-stopped" -> !manuallyStopped;
            case "on-failure" -> !manuallyStopped && exitCode != 0 && retriesLeft(p, restartCount);
            default -> false;
        };
    }

    /**
     * The wait before the next restart, given the last wait (zero before the first) and how long
     * the container ran: moby's restart manager waits 100 ms first, then doubles.
     */
    public static Duration nextDelay(Duration last, Duration ran) {
        if (last.isZero() || ran.compareTo(HEALTHY_RUN) >= 0) {
            return FIRST_DELAY;
        }
        Duration doubled = last.multipliedBy(2);
        return doubled.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : doubled;
    }

    private static boolean retriesLeft(RestartPolicy p, int restartCount) {
        return p.maximumRetryCount() == 0 || restartCount < p.maximumRetryCount();
    }
}
