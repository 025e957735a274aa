package dev.skiff.agent.io;

import dev.skiff.guest.Main;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads one output fd of a process (a pipe, or a pty master) on a platform thread into a small
 * queue of chunks that the host drains through ReadOutput. Nothing is dropped: when the host does
 * not read, the queue fills, this thread stops reading, and the process blocks in write(2) as it
 * would on a full pipe. A chunk whose sending failed is put back at the head, so a host that
 * reconnects gets it again.
 */
public final class OutputPump {
    /** Bytes per read; also the largest chunk sent in one ttrpc Data frame. */
    static final int CHUNK = 32 * 1024;
    /** Chunks buffered per stream (at most 512 KiB held in the agent per stream). */
    static final int QUEUE = 16;

    private static final byte[] EOF = new byte[0];

    private final String name;
    private final int fd;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Object takeLock = new Object();
    private byte[] pushedBack; // guarded by takeLock
    private boolean ended; // guarded by takeLock

    private OutputPump(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Starts pumping {@code fd}; the pump owns it and closes it at EOF. */
    public static OutputPump start(String name, int fd) {
        OutputPump pump = new OutputPump(name, fd);
        Thread.ofPlatform().daemon().name("out-" + name).start(pump::run);
        return pump;
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(CHUNK);
            while (true) {
                long n;
                try {
                    n = Fds.read(fd, buf, CHUNK);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EINTR) {
                        continue;
                    }
                    // A pty master reads EIO once the last process holding its slave has gone.
                    if (e.errno() != Errno.EIO) {
                        Main.log("output " + name + ": " + e.getMessage());
                    }
                    break;
                }
                if (n <= 0) {
                    break;
                }
                queue.put(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            queue.put(EOF);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // nothing more to read either way
            }
        }
    }

    /** The next chunk, blocking; null once the output has ended (and stays so). */
    public byte[] take() throws InterruptedException {
        synchronized (takeLock) {
            if (pushedBack != null) {
                byte[] b = pushedBack;
                pushedBack = null;
                return b;
            }
            if (ended) {
                return null;
            }
        }
        byte[] b = queue.take();
        if (b == EOF) {
            synchronized (takeLock) {
                ended = true;
            }
            return null;
        }
        return b;
    }

    /** Returns a chunk that could not be delivered; the next {@link #take} gives it again. */
    public void pushBack(byte[] chunk) {
        synchronized (takeLock) {
            pushedBack = chunk;
        }
    }
}
