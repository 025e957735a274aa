package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/** {@link Libc#call}: the result, the "failed to CALL OBJECT: strerror" text, and what passes through unwrapped. */
class LibcTest {
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(Libc.C_INT, Libc.C_INT));
    private static final long ERRNO_OFFSET =
            Libc.CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    @Test
    void aNegativeResultThrowsWithTheCallObjectAndErrno() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Libc.call("close", "fd -5", (f, cs) -> (int) CLOSE.invokeExact(cs, -5)));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close", e.call());
        assertEquals("failed to close fd -5: bad file descriptor (errno 9)", e.getMessage());
        assertEquals("failed to power off: bad file descriptor (errno 9)",
                assertThrows(ErrnoException.class, () -> Libc.call("power off", "",
                        (f, cs) -> (int) CLOSE.invokeExact(cs, -5))).getMessage(), "an empty object is left out");
    }

    @Test
    void onADescriptorTheObjectIsFdN() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Libc.call("close", -5, (f, cs) -> (int) CLOSE.invokeExact(cs, -5)));
        assertEquals("failed to close fd -5: bad file descriptor (errno 9)", e.getMessage());
        assertEquals("failed to lseek fd -5: bad file descriptor (errno 9)",
                assertThrows(ErrnoException.class, () -> Fds.lseek(-5, 0, Fds.SEEK_SET)).getMessage());
    }

    @Test
    void aResultAtOrAboveZeroIsReturned() throws ErrnoException {
        assertEquals(7L, Libc.call("nothing", "", (f, cs) -> 7));
        assertEquals(3L, Libc.call("nothing", "", (f, cs) -> f.str("abc").byteSize() - 1), "the frame is there");
    }

    @Test
    void whatTheCallThrowsComesOutUnwrapped() {
        IllegalArgumentException iae = new IllegalArgumentException("bad");
        assertSame(iae, assertThrows(IllegalArgumentException.class, () -> Libc.call("x", "", (f, cs) -> {
            throw iae;
        })));
        ErrnoException inner = new ErrnoException("inner", "", Errno.EIO);
        assertSame(inner, assertThrows(ErrnoException.class, () -> Libc.call("x", "", (f, cs) -> {
            throw inner;
        })));
        assertEquals(Exception.class, assertThrows(IllegalStateException.class, () -> Libc.call("x", "", (f, cs) -> {
            throw new Exception("checked");
        })).getCause().getClass());
    }

    @Test
    void restartingMakesTheCallAgainOnEintrOnly() throws ErrnoException {
        int[] calls = {0};
        long r = Libc.call("retry", "", Libc.restarting((f, cs) -> {
            if (++calls[0] < 3) {
                cs.set(ValueLayout.JAVA_INT, ERRNO_OFFSET, Errno.EINTR); // as the call would leave it
                return -1;
            }
            return 0;
        }));
        assertEquals(0, r);
        assertEquals(3, calls[0]);
    }
}
