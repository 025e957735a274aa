package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One inotify(7) instance: watches added by path, events read in batches. The descriptor is
 * non-blocking, and {@link #read} waits in poll(2) for at most a given time, so the reading
 * thread can notice that it should stop without a signal. Reads belong on a platform thread: a
 * downcall that waits would pin a virtual thread's carrier. The reading thread closes the
 * instance once it stops reading (its buffer must not go away under a read).
 */
public final class Inotify implements AutoCloseable {
    /** Event bits, include/uapi/linux/inotify.h. */
    public static final int IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8,
            IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200,
            IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000,
            IN_IGNORED = 0x8000, IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000,
            IN_EXCL_UNLINK = 0x04000000, IN_ISDIR = 0x40000000;
    private static final int IN_NONBLOCK = 04000, IN_CLOEXEC = 02000000;
    /** Room for many events: each is 16 bytes plus its name, padded. */
    private static final int BUFFER = 64 * 1024;

    private static final MethodHandle INIT1 = Libc.downcall("inotify_init1", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle ADD_WATCH = Libc.downcall("inotify_add_watch",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle RM_WATCH = Libc.downcall("inotify_rm_watch",
            FunctionDescriptor.of(C_INT, C_INT, C_INT));

    /** One event: the watch it came from, its bits, the cookie pairing a rename, and the name (or ""). */
    public record Event(int wd, int mask, int cookie, String name) {
        public boolean is(int bits) {
            return (mask & bits) != 0;
        }
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER, 8);
    private volatile boolean closed;

    public Inotify() throws ErrnoException {
        try {
            fd = (int) Libc.call("inotify_init1", "", (f, cs) -> (int) INIT1.invokeExact(cs, IN_NONBLOCK | IN_CLOEXEC));
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /** Watches {@code path} for {@code mask}; the watch descriptor (the same one again for the same inode). */
    public int addWatch(String path, int mask) throws ErrnoException {
        return (int) Libc.call("inotify_add_watch", path,
                (f, cs) -> (int) ADD_WATCH.invokeExact(cs, fd, f.str(path), mask));
    }

    /** Removes a watch; one already gone (its directory deleted) is not an error. */
    public void removeWatch(int wd) {
        try {
            Libc.call("inotify_rm_watch", "wd " + wd, (f, cs) -> (int) RM_WATCH.invokeExact(cs, fd, wd));
        } catch (ErrnoException e) {
            // nothing to undo: the watch is gone either way for our purposes (EINVAL: gone already)
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for events and returns those queued (empty on timeout).
     * One caller at a time.
     */
    public List<Event> read(int timeoutMillis) throws ErrnoException {
        if (closed) {
            throw new ErrnoException("read", "closed inotify instance", Errno.EBADF);
        }
        if (Fds.poll(fd, Fds.POLLIN, timeoutMillis) == 0) {
            return List.of();
        }
        long n;
        try {
            n = Fds.read(fd, buffer, BUFFER);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return List.of();
            }
            throw e;
        }
        return parse(buffer, n);
    }

    /** struct inotify_event: wd, mask, cookie, len, then len bytes of NUL-padded name. */
    static List<Event> parse(MemorySegment buf, long n) {
        List<Event> events = new ArrayList<>();
        long at = 0;
        while (at + 16 <= n) {
            int wd = buf.get(ValueLayout.JAVA_INT, at);
            int mask = buf.get(ValueLayout.JAVA_INT, at + 4);
            int cookie = buf.get(ValueLayout.JAVA_INT, at + 8);
            int len = buf.get(ValueLayout.JAVA_INT, at + 12);
            String name = "";
            if (len > 0) {
                byte[] raw = buf.asSlice(at + 16, len).toArray(ValueLayout.JAVA_BYTE);
                int end = 0;
                while (end < raw.length && raw[end] != 0) {
                    end++;
                }
                name = new String(raw, 0, end, StandardCharsets.UTF_8);
            }
            events.add(new Event(wd, mask, cookie, name));
            at += 16 + len;
        }
        return events;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Fds.close(fd);
        } catch (ErrnoException e) {
            // closed is closed
        }
        arena.close();
    }
}
