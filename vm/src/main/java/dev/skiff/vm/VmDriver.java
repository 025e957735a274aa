package dev.skiff.vm;

import java.io.IOException;

/** Starts VMs on one hypervisor. */
public interface VmDriver {
    /** The driver's name, e.g. "qemu". */
    String name();

    /**
     * Starts a VM and returns once the hypervisor runs it (not when the guest is ready: that is
     * for the caller to learn from a channel). On failure nothing is left behind.
     */
    Vm start(VmConfig config) throws IOException;
}
