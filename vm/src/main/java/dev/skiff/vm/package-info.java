/**
 * The hypervisor-neutral VM driver: {@link dev.skiff.vm.VmDriver} starts a {@link dev.skiff.vm.Vm}
 * from a {@link dev.skiff.vm.VmConfig}; the VM offers byte channels to the guest, hot-plug of
 * channels and disks, status, stop and kill, and its console log. VMs outlive the process that
 * started them (Docker's live-restore): {@link dev.skiff.vm.Vm#detach()} lets go of one, and
 * {@link dev.skiff.vm.VmDriver#running()} and {@link dev.skiff.vm.VmDriver#attach(String)} find and
 * drive it again from a later process. QEMU is the first driver
 * ({@link dev.skiff.vm.qemu}); the design leaves room for others (Hyper-V's HCS, Apple's
 * Virtualization.framework) behind the same interface.
 */
package dev.skiff.vm;
