package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Open-file-description byte-range locks: fcntl(2) F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK.
 * They belong to the open file description, not the process, so two descriptors opened
 * separately conflict with each other and with other processes' POSIX locks.
 */
public final class Locks {
    private Locks() {}

    public static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;

    /** A {@code struct flock}: type, start, length (0 = to end of file), and the holder's pid (-1 for OFD locks). */
    public record Flock(short type, long start, long length, int pid) {}

    private static final MethodHandle FCNTL = Calls.variadic("fcntl",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER), 2);

    /**
     * F_OFD_SETLK: takes or releases a lock without waiting.
     *
     * @return false if a conflicting lock is held (EAGAIN/EACCES), true otherwise
     */
    public static boolean trySet(int fd, short type, long start, long length) throws ErrnoException {
        try {
            fcntl(fd, F_OFD_SETLK, new Flock(type, start, length, 0));
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EACCES) {
                return false;
            }
            throw e;
        }
    }

    /** F_OFD_SETLKW: waits for the lock; EINTR if the thread is signalled. */
    public static void setWait(int fd, short type, long start, long length) throws ErrnoException {
        fcntl(fd, F_OFD_SETLKW, new Flock(type, start, length, 0));
    }

    /** F_OFD_GETLK: the first lock that would conflict, or one of type F_UNLCK if none. */
    public static Flock get(int fd, short type, long start, long length) throws ErrnoException {
        return fcntl(fd, F_OFD_GETLK, new Flock(type, start, length, 0));
    }

    private static Flock fcntl(int fd, int cmd, Flock lock) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment fl = frame.alloc(32, 8);
            fl.set(ValueLayout.JAVA_SHORT, 0, lock.type());
            fl.set(ValueLayout.JAVA_SHORT, 2, (short) 0); // SEEK_SET
            fl.set(ValueLayout.JAVA_LONG, 8, lock.start());
            fl.set(ValueLayout.JAVA_LONG, 16, lock.length());
            fl.set(ValueLayout.JAVA_INT, 24, 0); // l_pid must be 0 for OFD locks
            Libc.call(frame, cmd == F_OFD_GETLK ? "fcntl(F_OFD_GETLK)"
                    : cmd == F_OFD_SETLK ? "fcntl(F_OFD_SETLK)" : "fcntl(F_OFD_SETLKW)", "fd " + fd,
                    (f, cs) -> (int) FCNTL.invokeExact(cs, fd, cmd, fl));
            return new Flock(fl.get(ValueLayout.JAVA_SHORT, 0), fl.get(ValueLayout.JAVA_LONG, 8),
                    fl.get(ValueLayout.JAVA_LONG, 16), fl.get(ValueLayout.JAVA_INT, 24));
        }
    }
}
