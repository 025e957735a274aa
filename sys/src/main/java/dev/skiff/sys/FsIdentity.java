package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's file-system identity: setfsuid(2), and capget(2)/capset(2) to keep the
 * thread's file capabilities once it has a non-zero fsuid. Both are per thread in Linux (and glibc
 * does not broadcast either to the other threads, as it does setuid), so a caller that changes them
 * must be a platform thread of its own: a virtual thread may move to another carrier between calls.
 */
public final class FsIdentity {
    private FsIdentity() {}

    private static final MethodHandle SETFSUID = Libc.downcall("setfsuid",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT));
    private static final MethodHandle CAPGET = Libc.downcall("capget",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_POINTER));
    private static final MethodHandle CAPSET = Libc.downcall("capset",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_POINTER));

    /** _LINUX_CAPABILITY_VERSION_3 (include/uapi/linux/capability.h): two 32-bit data words. */
    private static final int CAPABILITY_V3 = 0x20080522;

    /**
     * Sets this thread's fsuid and checks that it took: setfsuid(2) reports no error, only the
     * previous fsuid, so the new one is read back (a second call with -1 changes nothing).
     */
    public static void setFsuid(int uid) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            int unused = (int) SETFSUID.invokeExact(frame.capture(), uid);
            int now = (int) SETFSUID.invokeExact(frame.capture(), -1);
            if (now != uid) {
                throw new ErrnoException("setfsuid", Integer.toUnsignedString(uid), Errno.EPERM);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Makes this thread's effective capabilities its permitted ones. A change of fsuid from 0 to
     * another clears the file capabilities (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_MKNOD...) from the
     * effective set (capabilities(7)); the permitted set keeps them, so they can be raised again.
     */
    public static void raisePermittedCapabilities() throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment header = frame.alloc(8, 4);
            header.set(ValueLayout.JAVA_INT, 0, CAPABILITY_V3);
            header.set(ValueLayout.JAVA_INT, 4, 0); // this thread
            MemorySegment data = frame.alloc(24, 4); // two {effective, permitted, inheritable}
            Libc.call(frame, "capget", "this thread", (f, cs) -> (int) CAPGET.invokeExact(cs, header, data));
            for (int word = 0; word < 2; word++) {
                data.set(ValueLayout.JAVA_INT, word * 12L, data.get(ValueLayout.JAVA_INT, word * 12L + 4));
            }
            Libc.call(frame, "capset", "this thread", (f, cs) -> (int) CAPSET.invokeExact(cs, header, data));
        }
    }
}
