package dev.skiff.agent.container;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pid file of a runtime that stays in the foreground ({@code crun run}), as a FIFO: the runtime
 * opens it and writes the container's pid once the container process exists, and this end reads it
 * the moment it is written. A regular file would have to be polled, since {@code crun run} does not
 * exit until the container does.
 *
 * <p>Our end is open (non-blocking) before the runtime starts, so the runtime's blocking open never
 * waits for us. If the runtime ends without writing, {@link #poke} opens and closes a writer, which
 * wakes the wait with no pid: poll(2) on a FIFO reports POLLHUP only after a writer has come and
 * gone, so nothing is reported before that.
 */
final class PidFifo implements AutoCloseable {
    private final Path path;
    private final int fd;
    private boolean closed; // guarded by this: a poke after close must not reach a later FIFO at the same path

    private PidFifo(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Makes the FIFO at {@code path} (replacing a file left there) and opens our end. */
    static PidFifo create(Path path) throws ErrnoException {
        try {
            Files.unlinkat(Fds.AT_FDCWD, path.toString(), 0);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        Files.mknodat(Fds.AT_FDCWD, path.toString(), Statx.S_IFIFO | 0600, 0);
        int fd = Fds.openat2(Fds.AT_FDCWD, path.toString(), OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK
                | OpenFlags.O_CLOEXEC, 0, 0);
        return new PidFifo(path, fd);
    }

    Path path() {
        return path;
    }

    /**
     * The runtime ended: a writer that comes and goes ends a wait that would otherwise never end.
     * Nothing once closed: crun run ends with its container, long after the start, when the same
     * container's next start may have made a new FIFO at this path.
     */
    synchronized void poke() {
        if (closed) {
            return;
        }
        try {
            Fds.close(Fds.openat2(Fds.AT_FDCWD, path.toString(), OpenFlags.O_WRONLY | OpenFlags.O_NONBLOCK
                    | OpenFlags.O_CLOEXEC, 0, 0));
        } catch (ErrnoException ignored) {
            // our end is closed already: nobody waits
        }
    }

    /**
     * The pid the runtime wrote, or 0 when its writer closed without one (the runtime failed and
     * {@link #poke} was called). The wait runs on a platform thread of its own: poll(2) through the
     * foreign function API would pin a virtual thread's carrier for the whole start.
     */
    int awaitPid(long timeoutSeconds) throws IOException, TimeoutException, InterruptedException {
        CompletableFuture<Integer> pid = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("pid-" + path.getParent().getFileName()).start(() -> {
            try {
                pid.complete(readPid(TimeUnit.SECONDS.toMillis(timeoutSeconds)));
            } catch (Throwable t) {
                pid.completeExceptionally(t);
            }
        });
        try {
            return pid.get(timeoutSeconds + 1, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** Reads until the writer closes (POLLHUP with nothing left) or the deadline passes. */
    private int readPid(long timeoutMillis) throws ErrnoException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        StringBuilder text = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32);
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return 0;
                }
                int events = Fds.poll(fd, Fds.POLLIN, (int) Math.min(left, Integer.MAX_VALUE));
                if (events == 0) {
                    continue; // timed out (the loop ends it) or EINTR
                }
                long n;
                try {
                    n = Fds.read(fd, buf, buf.byteSize());
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EAGAIN) {
                        continue;
                    }
                    throw e;
                }
                if (n == 0) {
                    return parse(text.toString());
                }
                if (text.length() > 20) {
                    return 0; // not a pid
                }
                text.append(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII));
            }
        }
    }

    private static int parse(String text) {
        try {
            int pid = Integer.parseInt(text.trim());
            return pid > 1 ? pid : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        Fds.closeQuietly(fd);
        try {
            Files.unlinkat(Fds.AT_FDCWD, path.toString(), 0);
        } catch (ErrnoException ignored) {
            // the bundle may be gone already
        }
    }
}
