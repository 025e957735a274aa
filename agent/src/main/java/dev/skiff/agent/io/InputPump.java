package dev.skiff.agent.io;

import dev.skiff.guest.Main;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a process's stdin on a platform thread, in order, from a small queue: a process that
 * does not read its stdin blocks this thread in write(2), never a virtual thread's carrier, and
 * the host's writer waits on the full queue.
 */
public final class InputPump {
    static final int QUEUE = 16;
    static final int CHUNK = 64 * 1024;
    private static final byte[] END = new byte[0];

    private final String name;
    private final int fd;
    private final boolean closeAtEnd;
    private final byte[] endBytes;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile boolean ended;
    private volatile ErrnoException failure;

    private InputPump(String name, int fd, boolean closeAtEnd, byte[] endBytes) {
        this.name = name;
        this.fd = fd;
        this.closeAtEnd = closeAtEnd;
        this.endBytes = endBytes;
    }

    /**
     * Starts writing to {@code fd}.
     *
     * @param closeAtEnd close the fd at the end of input (a pipe); a pty master stays open
     * @param endBytes written at the end of input before closing, e.g. ^D for a pty; may be empty
     */
    public static InputPump start(String name, int fd, boolean closeAtEnd, byte[] endBytes) {
        InputPump pump = new InputPump(name, fd, closeAtEnd, endBytes);
        Thread.ofPlatform().daemon().name("in-" + name).start(pump::run);
        return pump;
    }

    /** Queues bytes for the process; waits while the queue is full. */
    public void write(byte[] data) throws ErrnoException, InterruptedException {
        ErrnoException f = failure;
        if (f != null) {
            throw f;
        }
        if (ended) {
            throw new ErrnoException("write", "stdin of " + name + " (closed)", Errno.EPIPE);
        }
        if (data.length > 0) {
            queue.put(data);
        }
    }

    /** Ends the input: queued bytes are written, then the end. Idempotent. */
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(CHUNK);
            while (true) {
                byte[] data = queue.take();
                boolean last = data == END;
                if (last) {
                    data = endBytes;
                }
                for (int off = 0; off < data.length; ) {
                    int n = Math.min(CHUNK, data.length - off);
                    MemorySegment.copy(data, off, buf, ValueLayout.JAVA_BYTE, 0, n);
                    for (long done = 0; done < n; ) {
                        done += Fds.write(fd, buf.asSlice(done), n - done);
                    }
                    off += n;
                }
                if (last) {
                    break;
                }
            }
        } catch (ErrnoException e) {
            failure = e;
            ended = true;
            if (e.errno() != Errno.EPIPE) {
                Main.log("stdin " + name + ": " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            queue.clear();
            if (closeAtEnd) {
                try {
                    Fds.close(fd);
                } catch (ErrnoException ignored) {
                    // nothing more to write either way
                }
            }
        }
    }
}
