package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.guest.selftest.SelftestClient;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmException;
import dev.skiff.vm.VmExit;
import dev.skiff.vm.qemu.QemuDriver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live restore: a VM outlives the Java objects, or the whole process, that started it, and a new
 * driver finds it again and drives it (same guest, same channels, hot-plug, stop, and the end of
 * QEMU seen though QEMU is not its child). The second test is the real case: a child JVM standing in
 * for the daemon starts the VM and is SIGKILLed. Every wait is on an event, bounded.
 */
class LiveRestoreIT {
    private static final Duration WAIT = GuestSession.CALL_TIMEOUT;
    private static GuestImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() throws IOException {
        image = Images.selftestImage(System.out);
    }

    @Test
    void detachedVmIsAttachedAgainHotpluggedAndStoppedCleanly() throws Exception {
        String id;
        long pid;
        String bootId;
        try (GuestSession s = GuestSession.start(GuestSession.config("it-detach", image, List.of("it.data")))) {
            bootId = s.call("PING").split(" ")[0];
            s.call("ECHO", "it.data");
            id = s.vm().id();
            pid = s.vm().pid();
            s.vm().detach();
            CompletionException gone = assertThrows(CompletionException.class, () -> s.vm().exit().join());
            assertTrue(gone.getCause() instanceof VmException && gone.getCause().getMessage().contains("detached"),
                    gone.getCause().toString());
            assertThrows(VmException.class, () -> s.vm().hotplugChannel("late"));
        } // closes our control connection; close() of a detached VM leaves QEMU running
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU still runs");

        Vm vm = driver().attach(id);
        try {
            assertTrue(driver().running().contains(id));
            assertEquals(pid, vm.pid());
            try (Control c = Control.open(vm)) {
                assertEquals(bootId, c.call("PING").split(" ")[0], "the same guest, not a new boot");
            }
            RoundTrip.check(vm.channel("it.data"), 300_000, WAIT);
            vm.hotplugChannel("it.hot");
            try (Control c = Control.open(vm)) {
                c.call("ECHO", "it.hot");
            }
            RoundTrip.check(vm.channel("it.hot"), 100_000, WAIT);
            vm.detach();

            vm = driver().attach(id);
            RoundTrip.check(vm.channel("it.hot"), 100_000, WAIT); // the hot-plugged channel was recorded

            VmExit exit = vm.stop(Duration.ofSeconds(120));
            assertEquals(VmExit.Reason.STOPPED, exit.reason());
            assertEquals("", exit.detail(), "the guest itself powered off on the ACPI power button");
            assertEquals(exit, vm.exit().get(10, TimeUnit.SECONDS));
            awaitReaped(pid);
            assertFalse(Files.exists(RunDirs.base().resolve("vm").resolve(id)), "run folder removed");
            assertFalse(driver().running().contains(id));
        } finally {
            vm.close();
        }
    }

    @Test
    void vmOutlivesItsKilledDaemonAndItsOwnDeathIsSeenWhenAttached() throws Exception {
        Path log = tmp.resolve("daemon.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("skiff."))
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.addAll(List.of(Daemon.class.getName(), "it-orphan"));
        Process daemon = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        long qemuPid = -1;
        try {
            String[] ready = readyLine(daemon, log);
            String id = ready[1];
            String bootId = ready[2];
            qemuPid = Long.parseLong(ready[3]);
            daemon.destroyForcibly(); // SIGKILL: no shutdown hook, no close, nothing runs in the daemon
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
            assertTrue(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false), "QEMU outlived the daemon");

            assertTrue(driver().running().contains(id), id);
            Vm vm = driver().attach(id);
            assertEquals(qemuPid, vm.pid());
            Control c = Control.open(vm);
            assertEquals(bootId, c.call("PING").split(" ")[0], "the same guest");
            RoundTrip.check(vm.channel("it.data"), 300_000, WAIT); // the daemon's echo still runs in the guest
            vm.hotplugChannel("it.hot");
            c.call("ECHO", "it.hot");
            RoundTrip.check(vm.channel("it.hot"), 100_000, WAIT);

            assertTrue(ProcessHandle.of(qemuPid).orElseThrow().destroyForcibly(), "sent SIGKILL to QEMU");
            VmExit exit = vm.exit().get(60, TimeUnit.SECONDS);
            assertEquals(VmExit.Reason.DIED, exit.reason());
            assertEquals(VmExit.UNKNOWN_CODE, exit.exitCode(), "not our child: its status is not ours to read");
            assertTrue(exit.detail().contains("exit status is unknown"), exit.detail());

            assertThrows(IOException.class, () -> c.call("PING"));
            c.close();
            VmException late = assertThrows(VmException.class, () -> vm.hotplugChannel("late"));
            assertTrue(late.getMessage().contains("has exited"), late.getMessage());
            assertThrows(VmException.class, () -> vm.channel("it.data"));
            assertEquals(exit, vm.stop(Duration.ofSeconds(1)), "stop after the end reports the end");
            assertEquals(exit, vm.kill());
            assertFalse(Files.exists(RunDirs.base().resolve("vm").resolve(id)), "run folder removed");
            assertFalse(driver().running().contains(id));
        } finally {
            daemon.destroyForcibly();
            if (qemuPid > 0) {
                ProcessHandle.of(qemuPid).filter(p -> p.info().command().orElse("").contains("qemu"))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * An attached VM's exit completes once /proc shows QEMU ended, zombie included; the reaping is
     * its parent's (here this JVM's, for a QEMU it started), a moment later.
     */
    private static void awaitReaped(long pid) throws Exception {
        var h = ProcessHandle.of(pid);
        if (h.isPresent()) {
            h.get().onExit().get(60, TimeUnit.SECONDS);
        }
    }

    private static QemuDriver driver() throws VmException {
        return QemuDriver.create();
    }

    /** The daemon's "VM id bootId pid" line, or a failure quoting its log. */
    private static String[] readyLine(Process daemon, Path log) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        String l;
        try {
            l = line.get(WAIT.toSeconds() + 60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            daemon.destroyForcibly();
            l = null;
        }
        if (l == null || !l.startsWith("VM ")) {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            fail("the daemon did not start its VM (exit " + daemon.exitValue() + "): " + l + "; its log: "
                    + Files.readString(log));
        }
        return l.split(" ");
    }

    /** A self-test client on a VM's control channel whose calls give up after {@link #WAIT}. */
    private record Control(ByteChannel channel, SelftestClient client) implements AutoCloseable {
        static Control open(Vm vm) throws IOException {
            ByteChannel ch = vm.channel(SelftestProtocol.CONTROL_PORT).connect();
            return new Control(ch, new SelftestClient(Channels.newInputStream(ch), Channels.newOutputStream(ch)));
        }

        String call(String... words) throws IOException {
            CompletableFuture<Void> timer = CompletableFuture.runAsync(this::close,
                    CompletableFuture.delayedExecutor(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            try {
                return client.call(words);
            } finally {
                timer.cancel(false);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /**
     * Stands in for the daemon: starts a VM, checks the guest answers, starts an echo on it.data,
     * prints "VM id bootId qemuPid" and waits to be killed. If its parent goes away first (stdin
     * ends) it kills the VM, so a crashed test leaves nothing behind.
     */
    static final class Daemon {
        public static void main(String[] args) throws Exception {
            GuestImage img = Images.selftestImage(System.err);
            GuestSession s = GuestSession.start(GuestSession.config(args[0], img, List.of("it.data")));
            String bootId = s.call("PING").split(" ")[0];
            s.call("ECHO", "it.data");
            RoundTrip.check(s.vm().channel("it.data"), 100_000, WAIT);
            System.out.println("VM " + s.vm().id() + " " + bootId + " " + s.vm().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for SIGKILL, or for the parent to go
            }
            s.close();
        }
    }
}
