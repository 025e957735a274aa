package dev.skiff.guest;

import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.VirtioPorts;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.guest.selftest.SelftestService;
import dev.skiff.sys.Power;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Entry point of the guest program: boot the machine, then serve the control port. */
public final class Main {
    private Main() {}

    /**
     * Run on a build host to record which JDK classes and method-handle forms boot uses; see
     * {@link #train()}.
     */
    public static final String TRAIN = "--cds-training";

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(TRAIN)) {
            train();
            return;
        }
        boolean init = ProcessHandle.current().pid() == 1;
        try {
            if (init) {
                Boot.run(Path.of("/"));
                watchPowerButton();
            }
            Path port = VirtioPorts.awaitPort(Path.of("/sys"), Path.of("/dev"),
                    SelftestProtocol.CONTROL_PORT, Duration.ofSeconds(30));
            log("serving " + SelftestProtocol.CONTROL_PORT + " on " + port);
            new SelftestService(port).serve();
        } catch (Throwable t) {
            log("fatal: " + t);
            t.printStackTrace(System.out);
        } finally {
            if (init) {
                haltForever();
            }
        }
    }

    /** The host's clean shutdown (QMP system_powerdown) arrives as an ACPI power button press. */
    public static void watchPowerButton() throws java.io.IOException {
        var button = dev.skiff.guest.devices.PowerButton.find(Path.of("/sys"), Path.of("/dev"));
        if (button.isEmpty()) {
            log("no ACPI power button: the host can only stop this VM from outside");
            return;
        }
        Thread.ofPlatform().daemon().name("power-button").start(() -> {
            try {
                dev.skiff.guest.devices.PowerButton.awaitPress(button.get());
                log("power button pressed: powering off");
                haltForever();
            } catch (java.io.IOException e) {
                log("power button watch ended: " + e.getMessage());
            }
        });
    }

    /**
     * Exercises what boot uses without touching the host: the system call wrappers (their static
     * initialisers build the foreign-function downcall handles, the costliest part of start-up
     * under emulation), a virtual thread, a child process and a file read. Run with
     * -XX:DumpLoadedClassList, it yields the class list from which the image's CDS archive is
     * dumped (image/src/main/resources/dev/skiff/image/jre/guest.classlist).
     */
    public static void train() {
        try {
            for (Class<?> c : List.of(dev.skiff.sys.Mounts.class, dev.skiff.sys.Modules.class, dev.skiff.sys.Power.class,
                    dev.skiff.sys.Fds.class, dev.skiff.sys.Locks.class, dev.skiff.sys.Sockets.class,
                    dev.skiff.sys.Xattrs.class, dev.skiff.sys.Pipes.class, dev.skiff.sys.Processes.class,
                    dev.skiff.sys.FdPassing.class, dev.skiff.sys.Terminals.class, SelftestService.class)) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
            Thread.ofVirtual().start(() -> { }).join();
            // The guest spawns through the reaper only (ProcessBuilder's waitpid would race it).
            dev.skiff.guest.process.Reaper.shared().spawn("/bin/true", List.of("true"), List.of(), null,
                    new int[] {-1, -1, -1}, false).exit().get();
            VirtioPorts.find(Path.of("/nonexistent"), Path.of("/nonexistent"), SelftestProtocol.CONTROL_PORT);
        } catch (Exception e) {
            throw new IllegalStateException("training run failed", e);
        }
    }

    /** PID 1 must never exit (the kernel would panic): power off, or park if even that fails. */
    /**
     * Set in a VM started from a template. Its kernel's power-off never ends there: the shutdown of
     * the virtio-pmem namespace (/opt) sends the device a flush that QEMU 7.2 never answers after
     * the VM's state was loaded from a template (seen in every such VM; a booted VM's flush is
     * answered at once). Such a VM ends by an immediate restart after a sync instead, which QEMU
     * (-no-reboot) takes as the end of the VM: the same sync, without the devices' shutdown.
     */
    private static volatile boolean restartToEnd;

    public static void endByRestart() {
        restartToEnd = true;
    }

    public static void haltForever() {
        try {
            if (restartToEnd) {
                Power.sync();
                log("powering off by a restart (a VM from a template)");
                // sysrq b: emergency_restart(), which skips device_shutdown(); QEMU ends on the reset
                java.nio.file.Files.writeString(Path.of("/proc/sysrq-trigger"), "b");
            }
            Power.powerOff();
        } catch (java.io.IOException e) { // ErrnoException is one
            log("cannot power off: " + e.getMessage());
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // keep parking
            }
        }
    }

    /**
     * Guest logs go to the console, which the host keeps in the VM's console log. Each line starts
     * with the time since boot as the kernel prints it (the JVM's nanoTime is CLOCK_MONOTONIC, which
     * starts at boot), so the agent's steps line up with the kernel's in one timeline.
     */
    public static void log(String message) {
        long micros = System.nanoTime() / 1_000;
        System.out.println(String.format("[%5d.%06d] skiff-guest: ", micros / 1_000_000, micros % 1_000_000) + message);
        System.out.flush();
    }
}
