package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** sync(2) and reboot(2): how the guest's PID 1 powers the VM off. */
public final class Power {
    private Power() {}

    /** LINUX_REBOOT_CMD_* from include/uapi/linux/reboot.h (glibc's reboot() adds the magics). */
    public static final int RB_POWER_OFF = 0x4321fedc, RB_AUTOBOOT = 0x01234567;

    private static final MethodHandle SYNC = Libc.downcall("sync", FunctionDescriptor.ofVoid());
    private static final MethodHandle REBOOT = Libc.downcall("reboot",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT));

    /** sync(2), which cannot fail. */
    public static void sync() {
        try (Frame frame = Frame.open()) {
            SYNC.invokeExact(frame.capture());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Syncs and powers off. Returns only if the kernel refused (e.g. not PID 1's namespace, no CAP_SYS_BOOT). */
    public static void powerOff() throws ErrnoException {
        sync();
        Libc.call("power off", "", (f, cs) -> (int) REBOOT.invokeExact(cs, RB_POWER_OFF));
    }
}
