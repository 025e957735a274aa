package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

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

    /** ioctl(TIOCSWINSZ): the kernel sends SIGWINCH to the terminal's foreground process group. */
    public static void setWindowSize(int fd, int rows, int cols) throws ErrnoException {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new IllegalArgumentException("window size " + rows + "x" + cols + " does not fit unsigned shorts");
        }
        Libc.call("set the window size of", "fd " + fd, (f, cs) -> {
            MemorySegment ws = f.alloc(WINSIZE_SIZE, 2);
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
            return (int) IOCTL.invokeExact(cs, fd, TIOCSWINSZ, ws);
        });
    }

    /** ioctl(TIOCGWINSZ); returns {@code {rows, cols}}. */
    public static int[] windowSize(int fd) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment ws = frame.alloc(WINSIZE_SIZE, 2);
            Libc.call(frame, "get the window size of", "fd " + fd,
                    (f, cs) -> (int) IOCTL.invokeExact(cs, fd, TIOCGWINSZ, ws));
            return new int[] {Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 0)),
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2))};
        }
    }

    /** posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), grantpt(3), unlockpt(3): a new pty master. */
    public static int openPtyMaster() throws ErrnoException {
        int fd = (int) Libc.call("posix_openpt", "/dev/ptmx", (f, cs) -> (int) POSIX_OPENPT.invokeExact(cs,
                OpenFlags.O_RDWR | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC));
        try {
            Libc.call("grantpt", "fd " + fd, (f, cs) -> (int) GRANTPT.invokeExact(cs, fd));
            Libc.call("unlockpt", "fd " + fd, (f, cs) -> (int) UNLOCKPT.invokeExact(cs, fd));
            return fd;
        } catch (Throwable t) {
            Fds.closeQuietly(fd);
            throw t;
        }
    }

    /** ptsname_r(3): the path of the pty slave of {@code master}, e.g. /dev/pts/3. */
    public static String ptsName(int master) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(PTS_NAME_MAX, 1);
            int rc = (int) PTSNAME_R.invokeExact(frame.capture(), master, buf, (long) PTS_NAME_MAX);
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
