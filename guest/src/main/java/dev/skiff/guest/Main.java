package dev.skiff.guest;

import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.VirtioPorts;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.guest.selftest.SelftestService;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Power;
import java.nio.file.Path;
import java.time.Duration;

/** Entry point of the guest program: boot the machine, then serve the control port. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
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
    private static void watchPowerButton() throws java.io.IOException {
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

    /** PID 1 must never exit (the kernel would panic): power off, or park if even that fails. */
    private static void haltForever() {
        try {
            Power.powerOff();
        } catch (ErrnoException e) {
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

    /** Guest logs go to the console, which the host keeps in the VM's console log. */
    public static void log(String message) {
        System.out.println("skiff-guest: " + message);
        System.out.flush();
    }
}
