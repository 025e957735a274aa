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

    // ---- templates (see VmTemplate) -------------------------------------------------------------

    /**
     * The key a template of {@code config} is filed under, or null when this driver cannot make
     * templates of it (or at all). VMs of configs with equal keys differ only in what a template
     * leaves free: their name, console log, channel sockets and disk image files.
     */
    default String templateKey(VmConfig config) throws IOException {
        return null;
    }

    /**
     * Boots a VM that is to become a template: its RAM lives in the file {@code ram}, which the
     * template keeps. The caller waits for the guest to be ready, then calls {@link Vm#saveTemplate}.
     */
    default Vm startTemplate(VmConfig config, java.nio.file.Path ram) throws IOException {
        throw new VmException(name() + " cannot make VM templates");
    }

    /**
     * Starts a VM of {@code config} from {@code template} (made from a config of the same key):
     * returns once the guest runs again, where the template's stopped; the caller then sets its clock.
     */
    default Vm startFrom(VmConfig config, VmTemplate template) throws IOException {
        throw new VmException(name() + " cannot start VMs from templates");
    }
}
