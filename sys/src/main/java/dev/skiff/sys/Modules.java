package dev.skiff.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Kernel module loading: init_module(2), as busybox insmod does, without modprobe's lookups. */
public final class Modules {
    private Modules() {}

    private static final MethodHandle INIT_MODULE = Libc.downcall("init_module", FunctionDescriptor.of(
            Libc.C_INT, Libc.C_POINTER, Libc.C_LONG, Libc.C_POINTER));

    /**
     * Loads a module image (the bytes of an uncompressed {@code .ko}).
     *
     * @return false if the module was already loaded (EEXIST), true if it was loaded now
     */
    public static boolean load(String name, byte[] image, String params) throws ErrnoException {
        if (image.length == 0) {
            throw new IllegalArgumentException("module " + name + " is empty");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Libc.captureState(arena);
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, image);
            int rc = (int) INIT_MODULE.invokeExact(capture, buf, (long) image.length,
                    arena.allocateFrom(params == null ? "" : params));
            if (rc < 0 && Libc.errno(capture) == Errno.EEXIST) {
                return false;
            }
            Libc.check(rc, capture, "load module", name);
            return true;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
