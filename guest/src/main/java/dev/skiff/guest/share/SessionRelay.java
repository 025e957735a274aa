package dev.skiff.guest.share;

import dev.skiff.guest.Main;
import dev.skiff.p9.wire.Codec;
import dev.skiff.p9.wire.Fcall;
import dev.skiff.p9.wire.MalformedMessageException;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Carries one share's 9P session between the guest kernel's client (a socket it mounted with
 * trans=fd) and the host's server (a {@link HostLink}), frame by frame, keeping a {@link
 * SessionLog} of what the session established. When the host goes away (its daemon was killed)
 * the kernel's requests wait; when a host is back the relay first brings the new server to the
 * session's state, then sends the waiting requests on. The kernel sees a slow answer, not an
 * error: a container's files stay open across a restart of the host's daemon.
 *
 * <p>Two platform threads (each blocks in read(2) or poll(2), which would pin a virtual thread's
 * carrier anyway): one takes the kernel's requests to the host, one the host's answers to the
 * kernel and, when a host connects, does the restore. Writes to the host are serialised, with the
 * restore, by {@link #hostWrites}; writes to the kernel by {@link #kernelWrites}.
 */
final class SessionRelay {
    /** One 9P message of the largest msize we negotiate, and its header, fits in a buffer. */
    static final int BUFFER = (1 << 20) + 64;

    private final String name;
    private final int kernel;
    private final HostLink host;
    private final Runnable closeHost;
    private final Consumer<String> log;
    private final SessionLog session = new SessionLog();
    private final Object hostWrites = new Object();
    private final Object kernelWrites = new Object();
    /** Whether the host end is set up for the kernel's requests; false until a (re)connected host is restored. */
    private volatile boolean connected;
    private volatile boolean kernelGone;
    private final AtomicInteger running = new AtomicInteger(2);

    SessionRelay(String name, int kernel, HostLink host, Runnable closeHost, Consumer<String> log) {
        this.name = name;
        this.kernel = kernel;
        this.host = host;
        this.closeHost = closeHost;
        this.log = log;
    }

    /** Relays the kernel's socket {@code kernel} to the virtio port {@code portFd} (opened O_NONBLOCK). */
    static void start(String name, int portFd, int kernel) {
        new SessionRelay(name, kernel, new VirtioPortLink(portFd), () -> Fds.closeQuietly(portFd),
                m -> Main.log("share " + name + ": " + m)).start();
    }

    void start() {
        Thread.ofPlatform().daemon().name("relay-" + name + "-out").start(this::fromKernel);
        Thread.ofPlatform().daemon().name("relay-" + name + "-in").start(this::fromHost);
    }

    /** The kernel's requests: logged, then sent to the host when one is connected and restored. */
    private void fromKernel() {
        try (Arena arena = Arena.ofConfined()) {
            Frames in = new Frames(arena.allocate(BUFFER));
            MemorySegment reply = arena.allocate(64);
            while (true) {
                long n = Fds.read(kernel, in.free(), in.room());
                if (n == 0) {
                    log.accept("the kernel closed its end (unmounted); relay ends");
                    return;
                }
                in.filled(n);
                for (long size; (size = in.nextFrame()) > 0; in.consume(size)) {
                    MemorySegment frame = in.frame(size);
                    byte[] own;
                    synchronized (hostWrites) {
                        own = session.request(frame.toArray(ValueLayout.JAVA_BYTE));
                        if (own == null && connected && !host.write(frame, size)) {
                            connected = false; // the restore sends it again to the next host
                        }
                    }
                    if (own != null) {
                        MemorySegment.copy(MemorySegment.ofArray(own), 0, reply, 0, own.length);
                        toKernel(reply, own.length);
                    }
                }
                in.compact();
            }
        } catch (ErrnoException | RuntimeException e) {
            log.accept("relay from the kernel ended: " + e.getMessage());
        } finally {
            kernelGone = true;
            ended();
        }
    }

    /** The host's answers to the kernel; and when a host (re)connects, the restore. */
    private void fromHost() {
        try (Arena arena = Arena.ofConfined()) {
            Frames in = new Frames(arena.allocate(BUFFER));
            MemorySegment out = arena.allocate(BUFFER);
            boolean first = true;
            long backoff = 0;
            while (!kernelGone) {
                if (!connected) {
                    in.clear(); // a partial answer from a host that went away is never completed
                    if (!host.awaitHost(() -> kernelGone)) {
                        return;
                    }
                    Thread.sleep(backoff);
                    // a host that fails every restore is tried less and less often (up to once a second)
                    backoff = restore(in, out, first) ? 0 : Math.min(1000, Math.max(50, backoff * 2));
                    first = false;
                    continue;
                }
                long n = host.read(in.free(), in.room(), () -> kernelGone);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    connected = false;
                    log.accept("the host went away; the kernel's requests wait for the next one");
                    continue;
                }
                in.filled(n);
                long start = in.position();
                for (long size; (size = in.nextFrame()) > 0; in.consume(size)) {
                    session.response(in.header(size, SessionLog.needsBody(in.type())));
                }
                toKernel(in.slice(start), in.position() - start); // every whole answer read, at once
                in.compact();
            }
        } catch (ErrnoException | RuntimeException e) {
            log.accept("relay from the host ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended();
        }
    }

    /**
     * Brings a newly connected host to the session's state, sends the waiting requests on, and
     * answers those the relay must answer itself. The kernel's requests wait on {@link
     * #hostWrites} meanwhile. A host that goes away during the restore leaves it to the next:
     * false then.
     */
    private boolean restore(Frames in, MemorySegment out, boolean first) throws ErrnoException {
        SessionLog.Restore r;
        synchronized (hostWrites) {
            try {
                r = session.restore(t -> call(in, out, t));
                for (byte[] frame : r.resend()) {
                    MemorySegment.copy(MemorySegment.ofArray(frame), 0, out, 0, frame.length);
                    if (!host.write(out, frame.length)) {
                        throw new HostGone();
                    }
                }
            } catch (HostGone e) {
                log.accept("the host went away during the restore; waiting for the next one");
                return false;
            } catch (IOException e) {
                log.accept("cannot restore the session: " + e.getMessage());
                return false;
            }
            connected = true;
        }
        for (byte[] reply : r.replies()) {
            MemorySegment.copy(MemorySegment.ofArray(reply), 0, out, 0, reply.length);
            toKernel(out, reply.length);
        }
        if (!first || session.established()) {
            log.accept("a new host took the share up: " + r.summary());
        }
        return true;
    }

    /** The host went away while the relay talked to it itself. */
    private static final class HostGone extends IOException {
        HostGone() {
            super("the host went away");
        }
    }

    /** One request of the restore and its answer, read here: nothing else reads the host meanwhile. */
    private Rmessage call(Frames in, MemorySegment out, Tmessage t) throws IOException {
        int tag = t instanceof Tmessage.Tversion ? P9.NOTAG : SessionLog.OWN_TAG;
        byte[] frame = Codec.encode(tag, t);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, out, 0, frame.length);
        if (!host.write(out, frame.length)) {
            throw new HostGone();
        }
        while (true) {
            long size = in.nextFrame();
            if (size > 0) {
                byte[] answer = in.frame(size).toArray(ValueLayout.JAVA_BYTE);
                in.consume(size);
                in.compact();
                Fcall f;
                try {
                    f = Codec.decode(answer, answer.length);
                } catch (MalformedMessageException e) {
                    throw new IOException("the new host answered with a malformed frame: " + e.getMessage());
                }
                if (f.tag() == tag && f.message() instanceof Rmessage m) {
                    return m;
                }
                continue; // not ours: a new server has nothing else to say
            }
            long n = host.read(in.free(), in.room(), () -> kernelGone);
            if (n <= 0) {
                throw new HostGone();
            }
            in.filled(n);
        }
    }

    private void toKernel(MemorySegment buf, long length) throws ErrnoException {
        synchronized (kernelWrites) {
            for (long done = 0; done < length; ) {
                done += Fds.write(kernel, buf.asSlice(done), length - done);
            }
        }
    }

    /** The last thread out closes both ends. */
    private void ended() {
        if (running.decrementAndGet() == 0) {
            Fds.closeQuietly(kernel);
            closeHost.run();
        }
    }

    /** 9P frames in a buffer: size[4] type[1] tag[2] body, read in pieces and taken whole. */
    static final class Frames {
        private final MemorySegment buf;
        private long position; // the next frame starts here
        private long limit; // bytes read so far

        Frames(MemorySegment buf) {
            this.buf = buf;
        }

        MemorySegment free() {
            return buf.asSlice(limit);
        }

        long room() {
            return buf.byteSize() - limit;
        }

        void filled(long n) {
            limit += n;
        }

        long position() {
            return position;
        }

        /** The size of the whole frame at the position, or 0 if it has not all arrived. */
        long nextFrame() {
            if (limit - position < 4) {
                return 0;
            }
            long size = Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT_UNALIGNED, position));
            if (size < P9.HEADER_SIZE || size > buf.byteSize()) {
                throw new IllegalStateException("a frame of " + size + " bytes: the stream is out of step");
            }
            return limit - position >= size ? size : 0;
        }

        int type() {
            return buf.get(ValueLayout.JAVA_BYTE, position + 4) & 0xff;
        }

        MemorySegment frame(long size) {
            return buf.asSlice(position, size);
        }

        /** The frame at the position as an array: whole, or its header only. */
        byte[] header(long size, boolean whole) {
            return buf.asSlice(position, whole ? size : P9.HEADER_SIZE).toArray(ValueLayout.JAVA_BYTE);
        }

        MemorySegment slice(long from) {
            return buf.asSlice(from);
        }

        void consume(long size) {
            position += size;
        }

        /** Moves what is left of a frame to the front. */
        void compact() {
            if (position == 0) {
                return;
            }
            MemorySegment.copy(buf, position, buf, 0, limit - position);
            limit -= position;
            position = 0;
        }

        void clear() {
            position = 0;
            limit = 0;
        }
    }
}
