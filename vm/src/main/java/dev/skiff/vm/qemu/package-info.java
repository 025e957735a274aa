/**
 * The QEMU driver. {@link dev.skiff.vm.qemu.QemuCommandLine} turns a typed config into argv;
 * {@link dev.skiff.vm.qemu.QmpClient} speaks QMP (JSON over the control socket, see QEMU's
 * docs/interop/qmp-spec.rst) for hot-plug, status and shutdown; {@link dev.skiff.vm.qemu.QemuVm}
 * watches the process and cleans up after it; {@link dev.skiff.vm.qemu.AccelProbe} decides
 * whether KVM really works. QEMU runs in its own session so it outlives the daemon; a
 * {@code RunRecord} in each run folder (config, pid and start time, hot-plugged channels and
 * disks) lets {@link dev.skiff.vm.qemu.QemuDriver#attach(java.nio.file.Path)} drive it again from a
 * later process, with {@code ProcStat} telling a live QEMU from a reused pid.
 */
package dev.skiff.vm.qemu;
