package dev.skiff.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** sync(2) and reboot(2): how the guest's PID 1 powers the VM off. */
public final class Power {
    private Power() {}

    /** LINUX_REBOOT_CMD_* from include/uapi/linux/reboot.h (glibc's reboot() adds the magics). */
    public static final int RB_POWER_OFF = 0x4321fedc, RB_AUTOBOOT = 0x01234567;

    private static final MethodHandle SYNC = Libc.downcall("sync", FunctionDescriptor.ofVoid());
    private static final MethodHandle REBOOT = Libc.downcall("reboot",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT));

    public static void sync() {
        try (Arena arena = Arena.ofConfined()) {
            SYNC.invokeExact(Libc.captureState(arena));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Syncs and powers off. Returns only if the kernel refused (e.g. not PID 1's namespace, no CAP_SYS_BOOT). */
    public static void powerOff() throws ErrnoException {
        sync();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Libc.captureState(arena);
            int rc = (int) REBOOT.invokeExact(capture, RB_POWER_OFF);
            Libc.check(rc, capture, "power off", "");
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
