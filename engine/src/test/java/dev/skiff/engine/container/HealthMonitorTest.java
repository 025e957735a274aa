package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Health;
import dev.skiff.engine.api.Healthcheck;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The monitor's state machine, driven by hand: probes answer what the test queues, the clock moves only when a
 * scheduled probe is due, and the scheduler runs one task at a time. The real probes (execs in a VM) are the VM
 * test's.
 */
class HealthMonitorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final long SECOND = 1_000_000_000L;

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Scheduled tasks, run by the test in order of their time. */
    final class ManualScheduler implements HealthMonitor.Scheduler {
        record Task(Instant due, Runnable run, boolean[] cancelled) {}

        final List<Task> tasks = new ArrayList<>();

        @Override
        public Runnable schedule(Duration delay, Runnable task) {
            Task t = new Task(clock.now.plus(delay), task, new boolean[1]);
            tasks.add(t);
            return () -> t.cancelled[0] = true;
        }

        /** The delay of the one pending task (what the monitor chose), without running it. */
        Duration pendingDelay() {
            List<Task> live = tasks.stream().filter(t -> !t.cancelled[0]).toList();
            assertEquals(1, live.size(), "one probe scheduled at a time");
            return Duration.between(clock.now, live.getFirst().due());
        }

        /** Moves the clock to the next task and runs it; false when none is pending. */
        boolean runNext() {
            tasks.removeIf(t -> t.cancelled[0]);
            if (tasks.isEmpty()) {
                return false;
            }
            tasks.sort(java.util.Comparator.comparing(Task::due));
            Task t = tasks.removeFirst();
            clock.now = t.due();
            t.run().run();
            return true;
        }
    }

    final ManualClock clock = new ManualClock();
    final ManualScheduler scheduler = new ManualScheduler();
    final Deque<HealthMonitor.Outcome> answers = new ArrayDeque<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final HealthMonitor monitor = new HealthMonitor((c, command, timeout) -> {
        commands.add(command);
        return answers.removeFirst();
    }, scheduler, clock, (c, h) -> events.add(h.status()));

    private static Container container(Healthcheck check) {
        CreateSpec spec = new CreateSpec("busybox", List.of("sleep", "1d"), null, List.of(), "", "", "", false,
                false, false, Map.of(), List.of(), false, "", null, null, null, null, check);
        Container c = new Container("c".repeat(64), "web", T0, "busybox", "sha256:x", List.of(), spec,
                List.of("sleep", "1d"), List.of(), "/", 0, 0, "web", Path.of("/nonexistent"));
        c.startedAt = T0;
        c.status = Status.RUNNING;
        return c;
    }

    private void answer(int... codes) {
        for (int code : codes) {
            answers.add(new HealthMonitor.Outcome(code, "out " + code, false));
        }
    }

    private static Healthcheck check(long interval, long startPeriod, int retries) {
        return new Healthcheck(List.of("CMD-SHELL", "test -f /tmp/ok"), interval, 0, startPeriod, 0, retries);
    }

    @Test
    void failuresInARowMakeItUnhealthyAndOneSuccessHealthy() {
        Container c = container(check(SECOND, 0, 2));
        monitor.started(c);
        assertEquals(new Health(Health.STARTING, 0, List.of()), c.health);
        assertEquals(Duration.ofSeconds(1), scheduler.pendingDelay(), "the first probe waits an interval");
        answer(1, 1, 1, 0);
        scheduler.runNext();
        assertEquals(Health.STARTING, c.health.status());
        assertEquals(1, c.health.failingStreak());
        scheduler.runNext();
        assertEquals(Health.UNHEALTHY, c.health.status(), "retries 2: the second failure in a row");
        scheduler.runNext();
        assertEquals(3, c.health.failingStreak());
        scheduler.runNext();
        assertEquals(new Health(Health.HEALTHY, 0, c.health.log()), c.health);
        assertEquals(List.of(Health.UNHEALTHY, Health.HEALTHY), events, "told of each change, once");
        assertEquals(List.of("/bin/sh", "-c", "test -f /tmp/ok"), commands.getFirst());
        Health.Result last = c.health.log().getLast();
        assertEquals(0, last.exitCode());
        assertEquals("out 0", last.output());
        assertEquals(T0.plusSeconds(4).toString(), last.start());
    }

    @Test
    void theLogKeepsTheLastFiveResults() {
        Container c = container(check(SECOND, 0, 0));
        monitor.started(c);
        answer(0, 1, 2, 3, 4, 5, 6);
        for (int i = 0; i < 7; i++) {
            scheduler.runNext();
        }
        assertEquals(List.of(2, 3, 4, 5, 6), c.health.log().stream().map(Health.Result::exitCode).toList());
        assertEquals(Health.UNHEALTHY, c.health.status(), "the default retries: 3");
    }

    @Test
    void failuresInTheStartPeriodDoNotCountUntilItEndsOrAProbeSucceeds() {
        Container c = container(new Healthcheck(List.of("CMD", "true"), 10 * SECOND, 0, 12 * SECOND, 2 * SECOND, 1));
        monitor.started(c);
        assertEquals(Duration.ofSeconds(2), scheduler.pendingDelay(), "the start interval while starting");
        answer(1, 1, 1, 1, 1);
        for (int i = 0; i < 5; i++) {
            scheduler.runNext(); // at 2, 4, 6, 8, 10 s: all inside the 12 s start period
        }
        assertEquals(new Health(Health.STARTING, 0, c.health.log()), c.health);
        assertEquals(Duration.ofSeconds(2), scheduler.pendingDelay(), "still starting, still in the period");
        answer(1);
        scheduler.runNext(); // at 12 s: the period is over, retries 1
        assertEquals(Health.UNHEALTHY, c.health.status());
        assertEquals(Duration.ofSeconds(10), scheduler.pendingDelay(), "after the start period, the interval");

        Container early = container(new Healthcheck(List.of("CMD", "true"), 10 * SECOND, 0, 60 * SECOND, 0, 1));
        monitor.stopped(c);
        monitor.started(early);
        answer(0, 1);
        scheduler.runNext();
        assertEquals(Health.HEALTHY, early.health.status());
        assertEquals(Duration.ofSeconds(10), scheduler.pendingDelay(), "healthy: the interval, even in the period");
        scheduler.runNext();
        assertEquals(Health.UNHEALTHY, early.health.status(), "once healthy, a failure in the start period counts");
    }

    @Test
    void aTimeoutIsAFailureWithDockersMessage() {
        Container c = container(new Healthcheck(List.of("CMD", "sleep", "9"), SECOND, SECOND, 0, 0, 1));
        monitor.started(c);
        answers.add(new HealthMonitor.Outcome(-1, "", true));
        answers.add(new HealthMonitor.Outcome(-1, "partial", true));
        scheduler.runNext();
        scheduler.runNext();
        assertEquals("Health check exceeded timeout (1s)", c.health.log().getFirst().output());
        assertEquals("Health check exceeded timeout (1s): partial", c.health.log().getLast().output());
        assertEquals(-1, c.health.log().getFirst().exitCode());
        assertEquals(Health.UNHEALTHY, c.health.status());
    }

    @Test
    void aProbeThatCannotRunIsAFailureNamingWhy() {
        Container c = container(check(SECOND, 0, 1));
        HealthMonitor failing = new HealthMonitor((x, command, timeout) -> {
            throw new IllegalStateException("Container x is not running");
        }, scheduler, clock, (x, h) -> events.add(h.status()));
        failing.started(c);
        scheduler.runNext();
        assertEquals(new Health.Result(T0.plusSeconds(1).toString(), T0.plusSeconds(1).toString(), -1,
                "Container x is not running"), c.health.log().getFirst());
    }

    @Test
    void anExitStopsProbesAndLeavesItUnhealthyUntilTheNextRunStartsAgain() {
        Container c = container(check(SECOND, 0, 3));
        monitor.started(c);
        answer(0);
        scheduler.runNext();
        assertEquals(Health.HEALTHY, c.health.status());
        monitor.stopped(c);
        assertEquals(new Health(Health.UNHEALTHY, 0, c.health.log()), c.health, "moby's status once its monitor ends");
        assertEquals(false, scheduler.runNext(), "no probe after the exit");
        assertEquals(List.of(Health.HEALTHY), events, "the stop itself tells no one, as in moby");

        monitor.started(c); // a restart
        assertEquals(Health.STARTING, c.health.status());
        assertEquals(1, c.health.log().size(), "the log survives restarts");
        answer(1);
        scheduler.runNext();
        assertEquals(1, c.health.failingStreak());
    }

    @Test
    void aResultArrivingAfterTheExitIsDropped() {
        Container c = container(check(SECOND, 0, 1));
        HealthMonitor[] self = new HealthMonitor[1];
        self[0] = new HealthMonitor((x, command, timeout) -> {
            self[0].stopped(x); // the container exits while its probe runs
            return new HealthMonitor.Outcome(0, "", false);
        }, scheduler, clock, (x, h) -> events.add(h.status()));
        self[0].started(c);
        scheduler.runNext();
        assertEquals(new Health(Health.UNHEALTHY, 0, List.of()), c.health);
        assertTrue(events.isEmpty());
        assertEquals(false, scheduler.runNext());
    }

    @Test
    void noProbeNoMonitor() {
        for (Healthcheck none : new Healthcheck[] {null, new Healthcheck(List.of("NONE"), SECOND, 0, 0, 0, 0),
                new Healthcheck(List.of(), SECOND, 0, 0, 0, 0), new Healthcheck(List.of("WGET", "x"), 0, 0, 0, 0, 0)}) {
            Container c = container(none);
            monitor.started(c);
            assertNull(c.health, String.valueOf(none));
            monitor.stopped(c);
            assertNull(c.health, "an exit of a container without checks leaves none");
        }
        assertEquals(false, scheduler.runNext());
    }

    @Test
    void durationsAreWrittenAsGoWritesThem() {
        assertEquals("30s", HealthMonitor.goDuration(Duration.ofSeconds(30)));
        assertEquals("1s", HealthMonitor.goDuration(Duration.ofSeconds(1)));
        assertEquals("1.5s", HealthMonitor.goDuration(Duration.ofMillis(1500)));
        assertEquals("500ms", HealthMonitor.goDuration(Duration.ofMillis(500)));
        assertEquals("1m30s", HealthMonitor.goDuration(Duration.ofSeconds(90)));
        assertEquals("1h0m0s", HealthMonitor.goDuration(Duration.ofHours(1)));
        assertEquals("2m0.25s", HealthMonitor.goDuration(Duration.ofMillis(120_250)));
        assertEquals("1.5µs", HealthMonitor.goDuration(Duration.ofNanos(1500)));
        assertEquals("0s", HealthMonitor.goDuration(Duration.ZERO));
    }

    @Test
    void probeOutputKeepsTheFirst4096BytesAndMarksTheCut() {
        HealthMonitor.ProbeOutput out = new HealthMonitor.ProbeOutput();
        out.write("a".repeat(4000).getBytes());
        assertEquals(4000, out.text().length());
        out.write("b".repeat(200).getBytes());
        out.write("c".getBytes());
        assertEquals("a".repeat(4000) + "b".repeat(96) + "...", out.text());
    }
}
