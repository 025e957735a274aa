package dev.skiff.agent.io;

import dev.skiff.guest.Main;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one output fd of a process (a pipe, or a pty master) on a platform thread into a buffer
 * that the host reads through ReadOutput, by stream offset. Nothing is dropped:
 * <ul>
 *   <li>when the host does not read, the unsent bytes reach {@link #UNSENT}, this thread stops
 *       reading, and the process blocks in write(2) as it would on a full pipe;
 *   <li>bytes already handed to a reader stay for a while ({@link #RESENT}): one sent just before
 *       its host died (in the port, in QEMU, in the dead daemon's memory) is not known to have
 *       arrived. A host that reconnects asks from the offset it wrote down and gets them again,
 *       and none it already has.
 * </ul>
 */
public final class OutputPump {
    /** Bytes per read; also the largest chunk sent in one ttrpc Data frame. */
    static final int CHUNK = 32 * 1024;
    /** Bytes read but not yet handed to a reader before this pump stops reading. */
    static final int UNSENT = 16 * CHUNK;
    /** Bytes handed to a reader that are kept for a reader asking again (about 1 MiB held in all). */
    static final int RESENT = 16 * CHUNK;

    /** A piece of the stream: {@code data} begins at byte {@code offset}. */
    public record Chunk(long offset, byte[] data) {}

    private final String name;
    private final int fd;
    // The bytes [start, end) in segments of CHUNK bytes, all full but the last: the segment of an
    // offset is found by division, and a slow writer's lines fill one array, not one array each.
    private final List<byte[]> held = new ArrayList<>(); // guarded by this
    private long start; // guarded by this; a multiple of CHUNK
    private long end; // guarded by this
    private long handed; // guarded by this: the furthest offset given to a reader
    private boolean ended; // guarded by this

    OutputPump(String name, int fd) { // not started: tests fill it with hold and end
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
                hold(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // nothing more to read either way
            }
        }
    }

    /** Adds bytes read, once fewer than {@link #UNSENT} wait for a reader. */
    synchronized void hold(byte[] bytes) throws InterruptedException {
        while (end - handed >= UNSENT) {
            wait();
        }
        int from = 0;
        while (from < bytes.length) {
            int fill = (int) ((end - start) % CHUNK);
            if (fill == 0) {
                held.add(new byte[CHUNK]); // every segment is full, or there is none
            }
            int n = Math.min(CHUNK - fill, bytes.length - from);
            System.arraycopy(bytes, from, held.getLast(), fill, n);
            from += n;
            end += n;
        }
        notifyAll();
    }

    /** The output has ended (the fd's EOF): readers get what is held, then the end. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /**
     * The stream from {@code from} on, blocking until there is some: a chunk at {@code from}, or
     * later if this pump no longer holds the bytes at {@code from} (they are lost); null once the
     * output has ended and everything up to its end has been given.
     *
     * @throws IllegalArgumentException if {@code from} is past every byte read so far
     */
    public synchronized Chunk next(long from) throws InterruptedException {
        if (from > end) {
            throw new IllegalArgumentException("offset " + from + " is past the " + end + " bytes of output " + name);
        }
        while (from == end && !ended) {
            wait();
        }
        if (from == end) {
            return null;
        }
        long at = Math.max(from, start);
        int segment = (int) ((at - start) / CHUNK);
        int pos = (int) ((at - start) % CHUNK);
        long segmentEnd = Math.min(end, start + (long) (segment + 1) * CHUNK);
        byte[] data = Arrays.copyOfRange(held.get(segment), pos, pos + (int) (segmentEnd - at));
        handed = Math.max(handed, segmentEnd);
        // keep RESENT bytes before the furthest given, for a reader that asks again
        while (start + CHUNK <= handed - RESENT) {
            held.removeFirst(); // at most UNSENT + RESENT + CHUNK bytes: a few dozen segments
            start += CHUNK;
        }
        notifyAll(); // the reading thread may go on
        return new Chunk(at, data);
    }
}
