package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pseudo-terminals: the window size of a tty (ioctl_tty(2) TIOCGWINSZ/TIOCSWINSZ), and a pty
 * pair of our own (pty(7)), mainly for tests; a container's pty master comes from runc.
 */
public final class Terminals {
    private Terminals() {}

    /** ioctl requests, include/uapi/asm-generic/ioctls.h. */
    static final long TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
    /** struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel, each an unsigned short. */
    static final long WINSIZE_SIZE = 8;
    /** The size of a buffer for ptsname_r; "/dev/pts/N" is far shorter. */
    static final int PTS_NAME_MAX = 64;

    private static final MethodHandle IOCTL = Calls.variadic("ioctl",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER), 2);
    private static final MethodHandle POSIX_OPENPT = Libc.downcall("posix_openpt", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle GRANTPT = Libc.downcall("grantpt", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle UNLOCKPT = Libc.downcall("unlockpt", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle PTSNAME_R = Libc.downcall("ptsname_r",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(C_INT, C_INT));

    /** ioctl(TIOCSWINSZ): the kernel sends SIGWINCH to the terminal's foreground process group. */
    public static void setWindowSize(int fd, int rows, int cols) throws ErrnoException {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new IllegalArgumentException("window size " + rows + "x" + cols + " does not fit unsigned shorts");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = arena.allocate(WINSIZE_SIZE, 2);
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
            MemorySegment cs = Libc.captureState(arena);
            Libc.check((int) IOCTL.invokeExact(cs, fd, TIOCSWINSZ, ws), cs, "set the window size of", "fd " + fd);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** ioctl(TIOCGWINSZ); returns {@code {rows, cols}}. */
    public static int[] windowSize(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = arena.allocate(WINSIZE_SIZE, 2);
            MemorySegment cs = Libc.captureState(arena);
            Libc.check((int) IOCTL.invokeExact(cs, fd, TIOCGWINSZ, ws), cs, "get the window size of", "fd " + fd);
            return new int[] {Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 0)),
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2))};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), grantpt(3), unlockpt(3): a new pty master. */
    public static int openPtyMaster() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.captureState(arena);
            int fd = Libc.check((int) POSIX_OPENPT.invokeExact(cs, OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC),
                    cs, "posix_openpt", "/dev/ptmx");
            try {
                Libc.check((int) GRANTPT.invokeExact(cs, fd), cs, "grantpt", "fd " + fd);
                Libc.check((int) UNLOCKPT.invokeExact(cs, fd), cs, "unlockpt", "fd " + fd);
                return fd;
            } catch (Throwable t) {
                int ignored = (int) CLOSE.invokeExact(cs, fd);
                throw t;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** ptsname_r(3): the path of the pty slave of {@code master}, e.g. /dev/pts/3. */
    public static String ptsName(int master) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(PTS_NAME_MAX);
            MemorySegment cs = Libc.captureState(arena);
            int rc = (int) PTSNAME_R.invokeExact(cs, master, buf, (long) PTS_NAME_MAX);
            if (rc != 0) {
                throw new ErrnoException("ptsname_r", "fd " + master, rc); // returns the error number
            }
            return buf.getString(0);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
