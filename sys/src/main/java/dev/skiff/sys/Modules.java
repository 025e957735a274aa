package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
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
        try {
            Libc.call("load module", name, (f, cs) -> (int) INIT_MODULE.invokeExact(cs, f.bytes(image),
                    (long) image.length, f.str(params == null ? "" : params)));
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }
}
