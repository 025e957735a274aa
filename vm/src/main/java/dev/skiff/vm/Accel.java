package dev.skiff.vm;

/** CPU acceleration. AUTO takes the host's hypervisor when a probe shows it works, else TCG. */
public enum Accel {
    AUTO,
    /** Linux KVM. */
    KVM,
    /** macOS Hypervisor.framework. */
    HVF,
    /** Windows Hypervisor Platform. */
    WHPX,
    /** QEMU's software emulation: slow, but runs anywhere. */
    TCG
}
