package dev.skiff.cli.selftest;

import dev.skiff.guest.selftest.SelftestClient;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import dev.skiff.vm.qemu.QemuDriver;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A booted guest and a self-test client on its control channel. Every call is bounded: if the
 * VM dies the channel is closed at once, and a call that outlives {@link #CALL_TIMEOUT} closes it
 * too, so a caller gets an error, never a hang.
 */
public final class GuestSession implements AutoCloseable {
    /** Generous: under TCG on a loaded 2-core host a boot can take several times its usual 5 s. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(180);

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "guest-call-timer");
        t.setDaemon(true);
        return t;
    });

    private final Vm vm;
    private final ByteChannel control;
    private final SelftestClient client;

    private GuestSession(Vm vm, ByteChannel control) {
        this.vm = vm;
        this.control = control;
        this.client = new SelftestClient(Channels.newInputStream(control), Channels.newOutputStream(control));
        vm.exit().thenRun(this::closeControl);
    }

    /** The VM config for an image, with the control channel and any extra boot-time channels. */
    public static VmConfig config(String name, GuestImage image, List<String> extraChannels) {
        List<String> channels = new ArrayList<>(List.of(SelftestProtocol.CONTROL_PORT));
        channels.addAll(extraChannels);
        return VmConfig.of(name, image.kernel(), image.initrd(), image.kernelArgs(), image.initArgs(), channels)
                .withMappedImage(image.optImage());
    }

    /** Starts the VM and connects to its control channel (the guest need not be up yet). */
    public static GuestSession start(VmConfig config) throws IOException {
        Vm vm = QemuDriver.create().start(config);
        try {
            return new GuestSession(vm, vm.channel(SelftestProtocol.CONTROL_PORT).connect());
        } catch (IOException | RuntimeException e) {
            vm.kill();
            throw e;
        }
    }

    public Vm vm() {
        return vm;
    }

    /** One self-test request, bounded by {@link #CALL_TIMEOUT} and by the VM's life. */
    public String call(String... words) throws IOException {
        var timer = TIMER.schedule(this::closeControl, CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return client.call(words);
        } catch (IOException e) {
            awaitExitBriefly();
            if (vm.exit().isDone()) {
                throw new VmException("VM " + vm.name() + " ended during " + words[0] + ": " + vm.exit().join()
                        + "; console log " + vm.consoleLog() + " ends with: " + ConsoleTail.of(vm.consoleLog()), e);
            }
            if (timer.isDone()) {
                throw new VmException("guest did not answer " + words[0] + " within " + CALL_TIMEOUT.toSeconds()
                        + " s (console log: " + vm.consoleLog() + ")", e);
            }
            throw e;
        } finally {
            timer.cancel(false);
        }
    }

    /** A channel error often means the VM is going down; give its exit a moment to be seen. */
    private void awaitExitBriefly() {
        try {
            vm.exit().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // still running, or interrupted: report the channel error as it is
        }
    }

    private void closeControl() {
        try {
            control.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closeControl();
        vm.close();
    }
}
