package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles for variadic libc functions ({@code syscall(2)}, {@code fcntl(2)}), which
 * {@link Libc#downcall} cannot describe. Same linker, lookup and errno capture as {@link Libc}.
 */
final class Calls {
    private Calls() {}

    /** Linux system call numbers; the "generic" table shared by x86-64 and arm64 from 424 on. */
    static final long SYS_OPENAT2 = 437;

    static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadicArg) {
        MemorySegment symbol = Libc.LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return Libc.LINKER.downcallHandle(symbol, descriptor,
                Linker.Option.firstVariadicArg(firstVariadicArg),
                Linker.Option.captureCallState("errno"));
    }

    /** True on arm64, whose open(2) flag values differ from x86-64 for a few bits. */
    static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
}
