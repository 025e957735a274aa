/**
 * The QEMU driver. {@link dev.skiff.vm.qemu.QemuCommandLine} turns a typed config into argv;
 * {@link dev.skiff.vm.qemu.QmpClient} speaks QMP (JSON over the control socket, see QEMU's
 * docs/interop/qmp-spec.rst) for hot-plug, status and shutdown; {@link dev.skiff.vm.qemu.QemuVm}
 * watches the process and cleans up after it; {@link dev.skiff.vm.qemu.AccelProbe} decides
 * whether KVM really works.
 */
package dev.skiff.vm.qemu;
