package dev.skiff.engine.container;

import dev.skiff.engine.api.Health;
import dev.skiff.engine.api.Healthcheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Docker's health checks, as moby's {@code daemon/health.go} runs them: while a container runs, one monitor probes it
 * (an exec of its health check's command) after each interval; a probe that exits 0 makes it healthy, and
 * {@code retries} failures in a row (a timeout is one) make it unhealthy; failures in the start period do not
 * count while it is still starting. Each run begins "starting" with a streak of 0; when the process exits the
 * monitor stops and the status reads "unhealthy", as moby leaves it. The last {@link Health#MAX_LOG} results are
 * kept across runs.
 *
 * <p>How probes run, how time passes and who hears of a new status are given to it, so that its state machine can
 * be driven by hand in a test.
 */
public final class HealthMonitor {
    /** moby's maxOutputLen: a probe's output kept in its result, in bytes. */
    public static final int MAX_OUTPUT = 4096;

    /** Runs one probe in a running container. */
    public interface ProbeRunner {
        /** The probe's exit code and output (up to {@link #MAX_OUTPUT}); {@code timedOut} when it was killed. */
        Outcome run(Container c, List<String> command, Duration timeout) throws Exception;
    }

    public record Outcome(int exitCode, String output, boolean timedOut) {}

    /** Runs a task later. */
    public interface Scheduler {
        /** Runs {@code task} after {@code delay}; the returned action cancels it unless it has begun. */
        Runnable schedule(Duration delay, Runnable task);
    }

    /** Told of each change of a container's health status (moby's {@code health_status} event). */
    public interface Listener {
        void statusChanged(Container c, Health health);
    }

    /** The probes of one run of one container. {@code stopped} is guarded by the container's lock. */
    private static final class Watch {
        final Container c;
        final Healthcheck check;
        final List<String> command;
        final Instant startedAt;
        boolean stopped;
        volatile Runnable cancel = () -> {};

        Watch(Container c, Healthcheck check, List<String> command, Instant startedAt) {
            this.c = c;
            this.check = check;
            this.command = command;
            this.startedAt = startedAt;
        }
    }

    private final ProbeRunner runner;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Listener listener;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    public HealthMonitor(ProbeRunner runner, Scheduler scheduler, Clock clock, Listener listener) {
        this.runner = runner;
        this.scheduler = scheduler;
        this.clock = clock;
        this.listener = listener;
    }

    /** Each task on a virtual thread of its own, which sleeps first; cancelling interrupts the sleep. */
    public static Scheduler virtualThreads() {
        return (delay, task) -> {
            AtomicBoolean begun = new AtomicBoolean();
            Thread t = Thread.ofVirtual().name("health").start(() -> {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    return;
                }
                if (begun.compareAndSet(false, true)) {
                    task.run();
                }
            });
            return () -> {
                if (begun.compareAndSet(false, true)) {
                    t.interrupt();
                }
            };
        };
    }

    /**
     * A run of {@code c} began (a start, a restart, or a new daemon finding it running): unless its health check
     * has no probe, its status is "starting" with no failures, and the first probe is one interval away.
     */
    public void started(Container c) {
        Healthcheck check = c.spec.healthcheck();
        List<String> command = check == null ? null : check.probeCommand();
        if (command == null) {
            return;
        }
        Watch w;
        synchronized (c) {
            stop(watches.remove(c.id));
            c.health = new Health(Health.STARTING, 0, c.health == null ? List.of() : c.health.log());
            w = new Watch(c, check, command, c.startedAt == null ? clock.instant() : c.startedAt);
            watches.put(c.id, w);
        }
        scheduleNext(w);
    }

    /** Its process exited (call before its state says so): no more probes, and the status reads "unhealthy". */
    public void stopped(Container c) {
        synchronized (c) {
            Watch w = watches.remove(c.id);
            if (w == null) {
                return;
            }
            stop(w);
            c.health = new Health(Health.UNHEALTHY, c.health.failingStreak(), c.health.log());
        }
    }

    private static void stop(Watch w) {
        if (w != null) {
            w.stopped = true;
            w.cancel.run();
        }
    }

    /**
     * The interval rule of Docker 25 to 27 (the release Skiff reports): the probe interval, but the start interval
     * while it is still starting within its start period.
     */
    private Duration nextDelay(Watch w) {
        Duration interval = w.check.intervalOrDefault();
        if (Duration.between(w.startedAt, clock.instant()).compareTo(w.check.startPeriodOrDefault()) >= 0) {
            return interval;
        }
        synchronized (w.c) {
            return w.c.health != null && w.c.health.status().equals(Health.STARTING)
                    ? w.check.startIntervalOrDefault() : interval;
        }
    }

    private void scheduleNext(Watch w) {
        Duration delay = nextDelay(w);
        synchronized (w.c) {
            if (!w.stopped) {
                w.cancel = scheduler.schedule(delay, () -> probe(w));
            }
        }
    }

    private void probe(Watch w) {
        synchronized (w.c) {
            if (w.stopped) {
                return;
            }
        }
        Duration timeout = w.check.timeoutOrDefault();
        Instant start = clock.instant();
        Outcome o;
        try {
            o = runner.run(w.c, w.command, timeout);
        } catch (Exception e) {
            o = new Outcome(-1, e.getMessage() == null ? e.toString() : e.getMessage(), false);
        }
        Health.Result result = o.timedOut()
                ? new Health.Result(start.toString(), clock.instant().toString(), -1, "Health check exceeded timeout ("
                        + goDuration(timeout) + ")" + (o.output().isEmpty() ? "" : ": " + o.output()))
                : new Health.Result(start.toString(), clock.instant().toString(), o.exitCode(), o.output());
        Health before;
        Health after;
        synchronized (w.c) {
            if (w.stopped) {
                return; // stopped while probing: the result is dropped, as moby's monitor drops it
            }
            before = w.c.health;
            after = next(before, result, Duration.between(w.startedAt, start), w.check);
            w.c.health = after;
        }
        if (!after.status().equals(before.status())) {
            listener.statusChanged(w.c, after);
        }
        scheduleNext(w);
    }

    /**
     * moby's {@code handleProbeResult}: the result joins the log (the last {@link Health#MAX_LOG} kept); success
     * makes it healthy with no failures; a failure counts unless it is still starting within its start period, and
     * {@code retries} counted failures in a row make it unhealthy.
     */
    static Health next(Health h, Health.Result r, Duration sinceStart, Healthcheck check) {
        List<Health.Result> log = new ArrayList<>(h.log());
        log.add(r);
        List<Health.Result> kept = log.subList(Math.max(0, log.size() - Health.MAX_LOG), log.size());
        if (r.exitCode() == 0) {
            return new Health(Health.HEALTHY, 0, kept);
        }
        boolean grace = h.status().equals(Health.STARTING) && sinceStart.compareTo(check.startPeriodOrDefault()) < 0;
        if (grace) {
            return new Health(h.status(), h.failingStreak(), kept);
        }
        int streak = h.failingStreak() + 1;
        return new Health(streak >= check.retriesOrDefault() ? Health.UNHEALTHY : h.status(), streak, kept);
    }

    /** A duration as Go's {@code time.Duration.String} writes it: "30s", "1.5s", "1m30s", "500ms", "1h0m0s". */
    static String goDuration(Duration d) {
        long u = d.toNanos();
        if (u == 0) {
            return "0s";
        } else if (u < 1_000) {
            return u + "ns";
        } else if (u < 1_000_000) {
            return fraction(u, 1_000) + "µs";
        } else if (u < 1_000_000_000) {
            return fraction(u, 1_000_000) + "ms";
        }
        String text = fraction(u % 60_000_000_000L, 1_000_000_000) + "s";
        long minutes = u / 60_000_000_000L;
        if (minutes > 0) {
            text = minutes % 60 + "m" + text;
            if (minutes >= 60) {
                text = minutes / 60 + "h" + text;
            }
        }
        return text;
    }

    /** {@code value / unit} with its fraction's digits, trailing zeros dropped. */
    private static String fraction(long value, long unit) {
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(value / unit);
        }
        String digits = String.format("%0" + (Long.toString(unit).length() - 1) + "d", rest).replaceAll("0+$", "");
        return value / unit + "." + digits;
    }

    /** A probe's output: the first {@link #MAX_OUTPUT} bytes, then "..." if there was more (moby's limitedBuffer). */
    public static final class ProbeOutput {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean truncated;

        public synchronized void write(byte[] data) {
            int room = MAX_OUTPUT - kept.size();
            kept.write(data, 0, Math.min(room, data.length));
            truncated |= data.length > room;
        }

        public synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8) + (truncated ? "..." : "");
        }
    }
}
