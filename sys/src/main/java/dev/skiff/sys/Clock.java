package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * clock_settime(2) on CLOCK_REALTIME: how the guest's agent takes the host's time in a VM started
 * from a template, whose clock resumed where the template's stopped.
 */
public final class Clock {
    private Clock() {}

    private static final int CLOCK_REALTIME = 0;
    private static final MethodHandle CLOCK_SETTIME = Libc.downcall("clock_settime",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_POINTER));

    /** Sets the wall clock to {@code epochNanos} since 1970 (needs CAP_SYS_TIME). */
    public static void setRealtime(long epochNanos) throws ErrnoException {
        if (epochNanos < 0) {
            throw new IllegalArgumentException("a time before 1970: " + epochNanos);
        }
        Libc.call("clock_settime", "CLOCK_REALTIME", (f, cs) -> {
            MemorySegment ts = f.alloc(16, 8); // struct timespec { time_t tv_sec; long tv_nsec; }
            ts.set(ValueLayout.JAVA_LONG, 0, epochNanos / 1_000_000_000L);
            ts.set(ValueLayout.JAVA_LONG, 8, epochNanos % 1_000_000_000L);
            return (int) CLOCK_SETTIME.invokeExact(cs, CLOCK_REALTIME, ts);
        });
    }
}
