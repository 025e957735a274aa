package dev.skiff.vm;

/** Where a VM is in its life. */
public enum VmState {
    STARTING, RUNNING, STOPPING, EXITED
}
