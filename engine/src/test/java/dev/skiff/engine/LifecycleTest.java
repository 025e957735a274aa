package dev.skiff.engine;

import static dev.skiff.engine.testing.FakeVmDriver.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.ContainerDetail;
import dev.skiff.engine.api.Backend.ExecDetail;
import dev.skiff.engine.api.Backend.ExecSpec;
import dev.skiff.engine.api.Backend.LogOptions;
import dev.skiff.engine.api.Backend.RestartPolicy;
import dev.skiff.engine.api.Backend.WaitCondition;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's container lifecycle as a Docker user sees it (run, wait, stop, rm -f, restart
 * policies, docker cp against a VM's release), with the real Engine, Placement and UtilityVm over
 * {@link dev.skiff.engine.testing.FakeVmDriver}: VMs with an in-memory agent instead of QEMU.
 */
@Timeout(60)
class LifecycleTest {
    @TempDir
    Path dir;

    private TestEngine t;
    private Engine engine;
    /** Processes running "held" exit with 3 once the test counts this down. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void setUp() throws Exception {
        t = TestEngine.create(dir);
        engine = t.engine;
        t.driver.program("held", p -> {
            release.await();
            return 3;
        });
        t.driver.program("fail", Program.exits(1));
        t.driver.program("stubborn", Program.ignoresSignals());
        t.driver.program("hello", Program.prints("hello from the guest\n", 0));
        t.driver.program("sleeper", Program.diesOnSignal());
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        t.close();
    }

    private String status(String id) throws EngineException {
        return engine.inspectContainer(id).summary().state().status();
    }

    private static String dedicatedName(String id) {
        return "skiff-" + id.substring(0, 12);
    }

    private FakeVm shared() {
        List<FakeVm> vms = t.driver.vms(Placement.SHARED_NAME);
        assertEquals(1, vms.size(), "one shared VM: " + t.driver.vms());
        return vms.getFirst();
    }

    @Test
    void waitAndInspectReportTheExitCodeAndStatusGoesCreatedRunningExited() throws Exception {
        String id = engine.createContainer("c1", TestEngine.spec("held"));
        assertEquals("created", status(id));
        assertTrue(t.driver.vms().isEmpty(), "no VM before the start");

        engine.startContainer(id);
        assertEquals("running", status(id));
        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NOT_RUNNING);
        assertFalse(exit.isDone());
        assertEquals("running", shared().agent().state(id));

        release.countDown();
        assertEquals(3, exit.get(10, TimeUnit.SECONDS));
        await("the container is exited", () -> statusOrNull(id).equals("exited"));
        ContainerDetail d = engine.inspectContainer(id);
        assertEquals(3, d.summary().state().exitCode());
        assertFalse(d.summary().state().running());
        assertEquals(Placement.SHARED_NAME, d.summary().vm());
        assertEquals(3, engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(10, TimeUnit.SECONDS),
                "a wait after the exit answers at once with its code");
        // the boot: the agent pinged, the scratch disk and the image's layer mounted
        List<String> calls = shared().agent().calls();
        assertEquals("Ping", calls.getFirst());
        assertTrue(shared().agent().storages().containsValue("scratch scratch"), shared().agent().storages().toString());
        assertEquals(1, shared().hotpluggedDisks().size(), "the image's one layer: " + shared().hotpluggedDisks());
    }

    private String statusOrNull(String id) {
        try {
            return status(id);
        } catch (EngineException e) {
            return "gone";
        }
    }

    @Test
    void logsCarryWhatTheProcessPrinted() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("hello"));
        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        engine.startContainer(id);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var logs = engine.logs(id, new LogOptions(true, true, false, false, "all", null, null))) {
            logs.pump((type, data, off, len) -> out.write(data, off, len));
        }
        assertEquals("hello from the guest\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCommandTheImageDoesNotHaveExits127() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("no-such-program"));
        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        engine.startContainer(id);
        assertEquals(127, exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void stopOfAProcessThatIgnoresSigtermKillsItAfterTheTimeout() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("stubborn"));
        engine.startContainer(id);
        long begun = System.nanoTime();
        engine.stopContainer(id, 1, null);
        Duration took = Duration.ofNanos(System.nanoTime() - begun);
        assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0, "stop waited its timeout: " + took);
        assertEquals("exited", status(id), "docker stop returns once the container is stopped");
        assertEquals(137, engine.inspectContainer(id).summary().state().exitCode());
        assertEquals(List.of(15, 9), shared().agent().signalsSent(id), "SIGTERM, then SIGKILL");
    }

    @Test
    void inspectShowsTheEnvTheContainerGetsAsDockerdDoes() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("true").withEnv(List.of("A=1")));
        // the image sets no PATH, so the container gets runc's default after the request's own
        assertEquals(List.of("A=1", dev.skiff.agent.client.OciSpec.DEFAULT_PATH), engine.inspectContainer(id).spec().env());
    }

    @Test
    void stopOfAProcessThatDiesOfSigtermDoesNotWaitForTheTimeout() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("sleeper"));
        engine.startContainer(id);
        engine.stopContainer(id, 30, null);
        assertEquals(143, engine.inspectContainer(id).summary().state().exitCode());
        assertEquals(List.of(15), shared().agent().signalsSent(id));
    }

    @Test
    void rmForceOfARunningContainerRemovesItEverywhere() throws Exception {
        String keep = engine.createContainer(null, TestEngine.spec("held"));
        engine.startContainer(keep);
        String id = engine.createContainer("doomed", TestEngine.spec("stubborn"));
        engine.startContainer(id);
        CompletableFuture<Integer> removed = engine.waitContainer(id, WaitCondition.REMOVED);
        assertTrue(shared().agent().containers().contains(id));

        EngineException refused = assertThrows(EngineException.class, () -> engine.removeContainer(id, false, false));
        assertEquals(EngineException.Kind.CONFLICT, refused.kind());

        engine.removeContainer(id, true, false);
        removed.get(10, TimeUnit.SECONDS);
        EngineException gone = assertThrows(EngineException.class, () -> engine.inspectContainer(id));
        assertEquals(EngineException.Kind.NOT_FOUND, gone.kind());
        assertFalse(shared().agent().containers().contains(id), "removed in the VM too");
        assertFalse(shared().agent().hasNetwork(id), "its network torn down");
        assertTrue(engine.listContainers(true).stream().noneMatch(s -> s.id().equals(id)));
        assertTrue(shared().agent().containers().contains(keep), "the other container stays");
        assertTrue(shared().exit().isDone() == false, "the shared VM stays for the other container");
    }

    @Test
    void rmForceOfARunningDedicatedContainerStopsItsVm() throws Exception {
        String id = engine.createContainer(null, TestEngine.dedicated("stubborn"));
        engine.startContainer(id);
        FakeVm own = t.driver.vms(dedicatedName(id)).getFirst();
        engine.removeContainer(id, true, false);
        assertTrue(own.exited(), "rm -f returns with the container's VM stopped");
        assertThrows(EngineException.class, () -> engine.inspectContainer(id));
    }

    @Test
    void aDedicatedContainerHasItsOwnVmWhichStopsWhenItExits() throws Exception {
        String id = engine.createContainer(null, TestEngine.dedicated("held"));
        engine.startContainer(id);
        List<FakeVm> own = t.driver.vms(dedicatedName(id));
        assertEquals(1, own.size(), t.driver.vms().toString());
        assertTrue(t.driver.vms(Placement.SHARED_NAME).isEmpty(), "no shared VM for it");
        assertEquals(dedicatedName(id), engine.inspectContainer(id).summary().vm());
        assertTrue(engine.inspectContainer(id).summary().dedicated());

        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        release.countDown();
        assertEquals(3, exit.get(10, TimeUnit.SECONDS));
        await("the dedicated VM stops", () -> own.getFirst().exited());
        assertEquals(3, engine.inspectContainer(id).summary().state().exitCode(),
                "the VM's stop does not overwrite the container's exit code");
    }

    @Test
    void theSharedVmIsReusedByTwoContainers() throws Exception {
        String a = engine.createContainer("a", TestEngine.spec("held"));
        String b = engine.createContainer("b", TestEngine.spec("held"));
        engine.startContainer(a);
        engine.startContainer(b);
        FakeVm vm = shared();
        assertEquals(1, t.driver.vms().size(), "one VM for both");
        assertEquals(java.util.Set.of(a, b), vm.agent().containers());
        assertEquals(1, vm.hotpluggedDisks().size(), "the layer both use is plugged once");
        assertEquals(Placement.SHARED_NAME, engine.inspectContainer(a).summary().vm());
        assertEquals(Placement.SHARED_NAME, engine.inspectContainer(b).summary().vm());

        CompletableFuture<Integer> exitA = engine.waitContainer(a, WaitCondition.NEXT_EXIT);
        CompletableFuture<Integer> exitB = engine.waitContainer(b, WaitCondition.NEXT_EXIT);
        release.countDown();
        assertEquals(3, exitA.get(10, TimeUnit.SECONDS));
        assertEquals(3, exitB.get(10, TimeUnit.SECONDS));
        assertFalse(vm.exited(), "the shared VM idles on after its containers exit");
    }

    @Test
    void onFailure2RestartsAFailingProcessTwiceThenLeavesItExited() throws Exception {
        String id = engine.createContainer(null, TestEngine.restarting(new RestartPolicy("on-failure", 2), "fail"));
        engine.startContainer(id);
        FakeVm vm = shared();
        await("three runs", () -> vm.agent().calls().stream().filter("StartContainer"::equals).count() == 3);
        await("the third run's exit handled", () -> t.log().stream().filter(l -> l.contains("exited with 1")).count() == 3);
        await("exited", () -> statusOrNull(id).equals("exited"));
        ContainerDetail d = engine.inspectContainer(id);
        assertEquals(2, d.restartCount());
        assertEquals(1, d.summary().state().exitCode());
        // No fourth run comes: the policy decides at the exit, and "exited" (not "restarting") is
        // its answer, so nothing is scheduled after the status above.
        assertEquals(3, vm.agent().calls().stream().filter("StartContainer"::equals).count(), t.log().toString());
        assertEquals("exited", status(id));
        assertEquals(2, t.log().stream().filter(l -> l.contains("restarts by its policy")).count());
    }

    @Test
    void aCopyThatBeganHoldsTheDedicatedVmThroughItsRelease() throws Exception {
        String id = engine.createContainer(null, TestEngine.dedicated("held"));
        engine.startContainer(id);
        FakeVm vm = t.driver.vms(dedicatedName(id)).getFirst();
        CountDownLatch inStat = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicBoolean aliveWhileCopying = new AtomicBoolean();
        vm.agent().onStat((cid, path) -> {
            inStat.countDown();
            proceed.await();
            aliveWhileCopying.set(!vm.exit().isDone());
        });
        CompletableFuture<dev.skiff.engine.api.Backend.PathStat> copy = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.statPath(id, "/etc");
            } catch (EngineException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(inStat.await(10, TimeUnit.SECONDS), "the copy reached the agent");

        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        release.countDown(); // the container exits: its VM is to be released
        assertEquals(3, exit.get(10, TimeUnit.SECONDS));
        await("the exit handled up to the VM's release", () -> t.log().stream().anyMatch(l -> l.contains("exited with 3")));
        proceed.countDown();

        assertEquals("etc", copy.get(10, TimeUnit.SECONDS).name());
        assertTrue(aliveWhileCopying.get(), "the VM was not stopped under the copy");
        await("the VM is released once the copy ended", vm::exited);
        assertEquals(1, t.driver.vms(dedicatedName(id)).size(), "the copy did not need a VM of its own");
        assertNotEquals(null, engine.inspectContainer(id));
    }

    @Test
    void execOutputAndExitCodeComeBackThroughTheAgent() throws Exception {
        String id = engine.createContainer(null, TestEngine.spec("held"));
        engine.startContainer(id);
        // The exit code is there the moment the output ends: docker exec and Testcontainers' execInContainer
        // inspect right then, and a null code failed Testcontainers (a CI run of stop 35). Twenty rounds,
        // since the window was a race.
        for (int round = 0; round < 20; round++) {
            String exec = engine.createExec(id, new ExecSpec(List.of("hello"), List.of(), "", "", false, false, true, true));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var attached = engine.startExec(exec, false, false)) {
                attached.pump((type, data, off, len) -> out.write(data, off, len)); // returns at the output's end
            }
            assertEquals("hello from the guest\n", out.toString(StandardCharsets.UTF_8));
            ExecDetail d = engine.inspectExec(exec);
            assertEquals(0, d.exitCode(), "round " + round);
            assertFalse(d.running());
        }

        String failing = engine.createExec(id, new ExecSpec(List.of("fail"), List.of(), "", "", false, false, false, false));
        assertEquals(null, engine.startExec(failing, true, false), "a detached exec has no attachment");
        await("the failing exec's exit is known", () -> {
            try {
                return Integer.valueOf(1).equals(engine.inspectExec(failing).exitCode());
            } catch (EngineException e) {
                return false;
            }
        });
        assertEquals("running", status(id), "an exec's exit is not the container's");
    }

    /** docker run --isolation=hyperv -m 1g: its VM has room for the limit, as LCOW sizes a utility VM. */
    @Test
    void aDedicatedVmIsSizedForItsContainersMemoryLimit() throws Exception {
        t.driver.program("quick", Program.exits(0));
        var base = TestEngine.dedicated("quick");
        var options = new dev.skiff.engine.api.HostOptions(null, false, java.util.Map.of(), 0, java.util.Map.of(), false,
                dev.skiff.engine.api.HostOptions.Limits.memory(1L << 30), "", "", "");
        String id = engine.createContainer(null, new dev.skiff.engine.api.Backend.CreateSpec(base.image(), base.cmd(),
                base.entrypoint(), base.env(), base.workingDir(), base.user(), base.hostname(), base.tty(),
                base.openStdin(), base.stdinOnce(), base.labels(), base.binds(), base.autoRemove(), base.isolation(),
                base.stopSignal(), base.stopTimeout(), base.network(), base.restartPolicy(), base.healthcheck(), options));
        CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        engine.startContainer(id);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(1024 + 256, t.driver.vms(dedicatedName(id)).getFirst().config().memoryMiB());
    }

    @Test
    void aDedicatedContainerStartedAgainGetsANewVmWithItsScratchDisk() throws Exception {
        t.driver.program("quick", Program.exits(0));
        String id = engine.createContainer(null, TestEngine.dedicated("quick"));
        CompletableFuture<Integer> first = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        engine.startContainer(id);
        assertEquals(0, first.get(10, TimeUnit.SECONDS));
        await("its first VM stops", () -> t.driver.vms(dedicatedName(id)).getFirst().exited());

        CompletableFuture<Integer> second = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        engine.startContainer(id);
        assertEquals(0, second.get(10, TimeUnit.SECONDS));
        List<FakeVm> vms = t.driver.vms(dedicatedName(id));
        assertEquals(2, vms.size(), "a restart boots a new dedicated VM");
        assertEquals(vms.get(0).config().disks(), vms.get(1).config().disks(),
                "the new VM takes over the scratch disk that holds the container's upper layer");
        await("its second VM stops", () -> vms.get(1).exited());
    }

    /** As dockerd: docker kill (SIGKILL) returns with the container exited; another signal returns at once. */
    @Test
    void killReturnsOnceTheContainerHasExited() throws Exception {
        t.driver.program("slow-to-die", p -> {
            int sig;
            while ((sig = p.nextSignal()) != 9) {
                // ignores all but SIGKILL
            }
            Thread.sleep(500); // the guest takes a moment to reap it
            return 128 + sig;
        });
        String id = engine.createContainer(null, TestEngine.dedicated("slow-to-die"));
        engine.startContainer(id);
        engine.killContainer(id, "SIGTERM");
        assertEquals("running", status(id), "a process ignoring SIGTERM runs on");
        engine.killContainer(id, null);
        assertEquals("exited", status(id), "no docker start may find it running after the kill");
        assertEquals(137, engine.inspectContainer(id).summary().state().exitCode());
    }

    /**
     * docker run, then docker start at once: the start comes while the exit's release of the
     * dedicated VM is under way. It must not run in that VM (which is about to stop), but in a new
     * one that takes over the container's disk.
     */
    @Test
    void aStartRightAfterADedicatedContainersExitGetsANewVm() throws Exception {
        t.driver.program("quick", Program.exits(0));
        String id = engine.createContainer(null, TestEngine.dedicated("quick"));
        for (int run = 1; run <= 5; run++) {
            CompletableFuture<Integer> exit = engine.waitContainer(id, WaitCondition.NEXT_EXIT);
            engine.startContainer(id);
            assertEquals(0, exit.get(10, TimeUnit.SECONDS), "run " + run);
        }
        List<FakeVm> vms = t.driver.vms(dedicatedName(id));
        assertEquals(5, vms.size(), "one VM per run");
        await("every VM stops", () -> vms.stream().allMatch(FakeVm::exited));
        assertEquals(0, engine.inspectContainer(id).summary().state().exitCode());
    }

    /**
     * dockerd resets RestartCount on a user's start (daemon/start.go: ResetRestartManager(true)), so a
     * container whose on-failure retries ran out gets them again after docker start.
     */
    @Test
    void aUsersStartGivesOnFailureItsRetriesAgain() throws Exception {
        String id = engine.createContainer(null, TestEngine.restarting(new RestartPolicy("on-failure", 1), "fail"));
        engine.startContainer(id);
        FakeVm vm = shared();
        await("two runs handled", () -> t.log().stream().filter(l -> l.contains("exited with 1")).count() == 2);
        await("exited", () -> statusOrNull(id).equals("exited"));
        assertEquals(1, engine.inspectContainer(id).restartCount());

        engine.startContainer(id);
        await("the user's run and one restart handled",
                () -> t.log().stream().filter(l -> l.contains("exited with 1")).count() == 4);
        assertEquals(4, vm.agent().calls().stream().filter("StartContainer"::equals).count(), t.log().toString());
        assertEquals(1, engine.inspectContainer(id).restartCount(), "counted from the user's start");
    }
}
