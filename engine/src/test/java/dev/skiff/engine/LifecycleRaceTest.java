package dev.skiff.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.engine.api.Backend.ExecSpec;
import dev.skiff.engine.api.Backend.WaitCondition;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.FakeVmDriver;
import dev.skiff.engine.testing.InMemoryAgent;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle's race pairs (issue 19: start/start, start/rm -f, stop/exec, rm -f/exec, wait/rm -f),
 * each run {@value #ROUNDS} times with both calls let go at once, on the real engine over the
 * in-memory agent: every round must end as Docker's would, with no call left hanging and nothing
 * left behind in the engine or the guest. DockerRaceIT runs the same pairs a few times through the
 * docker CLI against real VMs; here the many rounds find the rare interleavings.
 */
@Timeout(300)
class LifecycleRaceTest {
    private static final int ROUNDS = Integer.getInteger("skiff.race.unit.rounds", 60);
    /** What the losing call of a pair may say: the container is gone, or not running. */
    private static final Set<EngineException.Kind> LOST = Set.of(EngineException.Kind.NOT_FOUND, EngineException.Kind.CONFLICT);

    @TempDir
    Path dir;
    private TestEngine t;
    private Engine engine;

    @BeforeEach
    void setUp() throws Exception {
        t = TestEngine.create(dir);
        engine = t.engine;
        t.driver.program("sleeper", Program.diesOnSignal());
        t.driver.program("hello", Program.prints("hi\n", 0));
        // one long-lived container keeps the shared VM up, as a user's other containers would
        engine.startContainer(engine.createContainer("keeper", TestEngine.spec("sleeper")));
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private InMemoryAgent agent() {
        List<FakeVm> vms = t.driver.vms(Placement.SHARED_NAME);
        assertEquals(1, vms.size(), "one shared VM all along: " + t.driver.vms());
        return vms.getFirst().agent();
    }

    /** A call of the pair: its result, or the engine's refusal. */
    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    /** Both calls let go together; each future completes with the call's result or its exception. */
    private static <A, B> List<CompletableFuture<?>> together(Call<A> a, Call<B> b) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<A> fa = new CompletableFuture<>();
        CompletableFuture<B> fb = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> run(go, a, fa));
        Thread.ofVirtual().start(() -> run(go, b, fb));
        go.countDown();
        for (CompletableFuture<?> f : List.of(fa, fb)) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // looked at by the caller
            } catch (java.util.concurrent.TimeoutException e) {
                fail("a call of the pair hung: " + fa + " / " + fb);
            }
        }
        return List.of(fa, fb);
    }

    private static <T> void run(CountDownLatch go, Call<T> call, CompletableFuture<T> into) {
        try {
            go.await();
            into.complete(call.call());
        } catch (Throwable e) {
            into.completeExceptionally(e);
        }
    }

    /** The call worked, or lost the race with one of Docker's refusals (gone, not running). */
    private static void workedOrLost(CompletableFuture<?> f, String what) {
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (!(e.getCause() instanceof EngineException ee) || !LOST.contains(ee.kind())) {
                throw new AssertionError(what + ": neither done nor a clear refusal", e.getCause());
            }
        }
    }

    private static void worked(CompletableFuture<?> f, String what) {
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new AssertionError(what + " failed", e.getCause());
        }
    }

    private boolean exists(String id) {
        return engine.listContainers(true).stream().anyMatch(s -> s.id().equals(id));
    }

    private static ExecSpec detached(String... cmd) {
        return new ExecSpec(List.of(cmd), List.of(), "", "", false, false, false, false);
    }

    @Test
    void twoStartsRunOneProcessAndTheSecondIsANoOp() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = engine.createContainer("ss-" + i, TestEngine.spec("sleeper"));
            long creates = agent().calls().stream().filter("CreateContainer"::equals).count();
            List<CompletableFuture<?>> r = together(() -> {
                engine.startContainer(id);
                return null;
            }, () -> {
                engine.startContainer(id);
                return null;
            });
            // dockerd: one start starts it, the other finds it started (304, which the CLI takes as success)
            int started = 0;
            for (CompletableFuture<?> f : r) {
                try {
                    f.join();
                    started++;
                } catch (java.util.concurrent.CompletionException e) {
                    assertTrue(e.getCause() instanceof EngineException ee && ee.kind() == EngineException.Kind.NOT_MODIFIED,
                            "the second start says 'already started': " + e.getCause());
                }
            }
            assertEquals(1, started, "round " + i + ": exactly one start did it");
            assertEquals("running", engine.inspectContainer(id).summary().state().status());
            assertEquals(creates + 1, agent().calls().stream().filter("CreateContainer"::equals).count(),
                    "round " + i + ": one process created in the guest");
            engine.removeContainer(id, true, false);
        }
    }

    @Test
    void aStartAndAForcedRemoveLeaveNothing() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = engine.createContainer("sr-" + i, TestEngine.spec("sleeper"));
            List<CompletableFuture<?>> r = together(() -> {
                engine.startContainer(id);
                return null;
            }, () -> {
                engine.removeContainer(id, true, false);
                return null;
            });
            workedOrLost(r.get(0), "start");
            worked(r.get(1), "rm -f of an existing container");
            assertFalse(exists(id), "round " + i + ": listed after rm -f");
            EngineException gone = assertThrows(EngineException.class, () -> engine.inspectContainer(id));
            assertEquals(EngineException.Kind.NOT_FOUND, gone.kind());
            FakeVmDriver.await("round " + i + ": nothing of it left in the guest",
                    () -> !agent().containers().contains(id) && !agent().hasNetwork(id));
        }
    }

    @Test
    void aStopAndAnExecEndStopped() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = engine.createContainer("se-" + i, TestEngine.spec("sleeper"));
            engine.startContainer(id);
            List<CompletableFuture<?>> r = together(() -> {
                engine.stopContainer(id, 5, null);
                return null;
            }, () -> engine.startExec(engine.createExec(id, detached("hello")), true, false));
            worked(r.get(0), "stop");
            workedOrLost(r.get(1), "exec");
            assertEquals("exited", engine.inspectContainer(id).summary().state().status(), "round " + i);
            assertEquals(143, engine.inspectContainer(id).summary().state().exitCode(), "round " + i + ": SIGTERM");
            engine.removeContainer(id, false, false);
        }
    }

    @Test
    void aForcedRemoveAndAnExecLeaveNothing() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = engine.createContainer("re-" + i, TestEngine.spec("sleeper"));
            engine.startContainer(id);
            String[] exec = new String[1];
            List<CompletableFuture<?>> r = together(() -> {
                engine.removeContainer(id, true, false);
                return null;
            }, () -> {
                exec[0] = engine.createExec(id, detached("sleeper"));
                return engine.startExec(exec[0], true, false);
            });
            worked(r.get(0), "rm -f");
            workedOrLost(r.get(1), "exec");
            assertFalse(exists(id), "round " + i);
            if (exec[0] != null) {
                String execId = exec[0];
                // dockerd forgets a removed container's execs
                EngineException gone = assertThrows(EngineException.class, () -> engine.inspectExec(execId));
                assertEquals(EngineException.Kind.NOT_FOUND, gone.kind(), "round " + i + ": the exec's record went too");
            }
            FakeVmDriver.await("round " + i + ": nothing of it left in the guest", () -> !agent().containers().contains(id));
        }
    }

    @Test
    void aWaitSeesTheForcedRemove() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String id = engine.createContainer("wr-" + i, TestEngine.spec("sleeper"));
            engine.startContainer(id);
            List<CompletableFuture<?>> r = together(() -> engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(20, TimeUnit.SECONDS),
                    () -> {
                        engine.removeContainer(id, true, false);
                        return null;
                    });
            worked(r.get(1), "rm -f");
            // dockerd: a wait that began first answers with the exit code (137); one that came after
            // the removal is told the container does not exist. Never a hang.
            try {
                assertEquals(137, r.get(0).join(), "round " + i + ": the killed container's code");
            } catch (java.util.concurrent.CompletionException e) {
                assertTrue(e.getCause() instanceof EngineException ee && ee.kind() == EngineException.Kind.NOT_FOUND,
                        "round " + i + ": a wait after the removal: " + e.getCause());
            }
            assertFalse(exists(id), "round " + i);
        }
        assertEquals("running", engine.inspectContainer("keeper").summary().state().status(), "the other container stays");
    }
}
