package dev.skiff.vm;

import java.io.IOException;
import java.util.List;

/** Starts VMs on one hypervisor. */
public interface VmDriver {
    /** The driver's name, e.g. "qemu". */
    String name();

    /**
     * Starts a VM and returns once the hypervisor runs it (not when the guest is ready: that is
     * for the caller to learn from a channel). On failure nothing is left behind.
     */
    Vm start(VmConfig config) throws IOException;

    /**
     * Finds a VM that is still running though the process that started it has gone or let go of it
     * ({@link Vm#detach()}), and returns it to drive as if started here: its channels (the boot-time
     * ones and those hot-plugged since), hot-plug, stop, kill and exit. What a driver cannot know
     * about a VM it did not start (such as its exit status) is said by the driver.
     *
     * @param id the VM's {@link Vm#id()}, as listed by {@link #running()}
     * @throws VmException if there is no such VM or it has exited
     */
    Vm attach(String id) throws IOException;

    /**
     * The ids of this driver's VMs on this host that still run, whichever process started them.
     * The traces (run folders) of VMs that have ended are removed on the way.
     */
    List<String> running() throws IOException;
}
