package dev.skiff.engine.network.fabric;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One VM's NIC on one network: the daemon's client end of QEMU's {@code -netdev
 * stream,server=on,addr.type=unix}, whose frames are each a 4-byte big-endian length then the
 * Ethernet frame (QEMU net/stream.c).
 *
 * <p>Two virtual threads: a reader that hands each frame to the segment, and a writer that drains
 * a bounded queue. Frames for the VM are only ever queued, never written by the thread that
 * switched them, so a VM that stops reading (paused, or its guest's ring full) stalls only its own
 * writer; when its queue is full, further frames for it are dropped and counted, as a congested
 * switch port drops, and the guests' TCP retransmits. Bounded in frames and in bytes, since
 * frames range from 60 bytes to 64 KiB. The writer batches what is queued into one gathering
 * write.
 */
final class StreamPort implements Port {
    private static final Logger LOG = System.getLogger(StreamPort.class.getName());
    /** Above this, a length prefix means the stream is out of step or hostile: the port closes. */
    static final int MAX_FRAME = 65550;
    static final int QUEUE_FRAMES = 1024;
    static final long QUEUE_BYTES = 4L << 20;
    private static final int MAX_BATCH = 64;

    private final String name;
    private final String label;
    private final SocketChannel channel;
    private final Segment segment;
    private final Consumer<StreamPort> onClosed;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread writer;

    private StreamPort(String name, SocketChannel channel, Segment segment, Consumer<StreamPort> onClosed) {
        this.name = name;
        this.label = "network " + segment.config().networkId() + ", VM " + name;
        this.channel = channel;
        this.segment = segment;
        this.onClosed = onClosed;
    }

    /**
     * How long QEMU may take to listen on a NIC's socket after netdev_add has returned: QEMU 7.2's
     * stream netdev binds and listens in a worker thread (an asynchronous QIOTask), so the socket
     * appears a moment later, and later still when the host is busy (a CI run with long app tests
     * beside it missed it once, ENOENT). No QMP event says it is listening.
     */
    static final java.time.Duration LISTEN_WAIT = java.time.Duration.ofSeconds(10);

    /** Connects to the socket QEMU listens on, attaches to the segment and starts both threads. */
    static StreamPort open(String name, Path socket, Segment segment, Consumer<StreamPort> onClosed) throws IOException {
        SocketChannel channel = connect(name, socket, LISTEN_WAIT);
        StreamPort port = new StreamPort(name, channel, segment, onClosed);
        segment.attach(port);
        port.writer = Thread.ofVirtual().name("net-tx-" + name).start(port::writeLoop);
        Thread.ofVirtual().name("net-rx-" + name).start(port::readLoop);
        return port;
    }

    /** Connects, trying again while QEMU is not listening yet (no socket, or refused), for at most {@code wait}. */
    static SocketChannel connect(String name, Path socket, java.time.Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        long pauseMs = 5;
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                return channel;
            } catch (IOException e) {
                channel.close();
                boolean notYet = e instanceof java.net.ConnectException || !java.nio.file.Files.exists(socket);
                if (!notYet || System.nanoTime() > deadline) {
                    throw new IOException("failed to connect to the NIC socket " + socket + " of VM " + name + ": "
                            + e.getMessage() + (notYet ? " (QEMU did not listen on it within " + wait.toMillis()
                            + " ms)" : ""), e);
                }
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for the NIC socket " + socket + " of VM " + name);
            }
            pauseMs = Math.min(pauseMs * 2, 100);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean offer(byte[] frame) {
        if (closed.get()) {
            return false;
        }
        if (queuedBytes.addAndGet(frame.length) > QUEUE_BYTES || !queue.offer(frame)) {
            queuedBytes.addAndGet(-frame.length);
            return false;
        }
        return true;
    }

    boolean isOpen() {
        return !closed.get();
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(4);
        String why;
        try {
            while (true) {
                header.clear();
                if (!readFully(header)) {
                    why = "the VM closed its end";
                    break;
                }
                int length = header.getInt(0);
                if (length <= 0 || length > MAX_FRAME) {
                    why = "malformed stream: frame length " + Integer.toUnsignedString(length);
                    break;
                }
                ByteBuffer frame = ByteBuffer.allocate(length);
                if (!readFully(frame)) {
                    why = "the VM closed its end inside a frame";
                    break;
                }
                segment.receive(name, frame.array());
            }
        } catch (IOException e) {
            why = "failed to read: " + e;
        } catch (RuntimeException e) {
            why = "failed to switch a frame: " + e; // a bug, not the guest's doing: Segment drops what a guest can send
        }
        close(why);
    }

    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    private void writeLoop() {
        List<byte[]> frames = new ArrayList<>(MAX_BATCH);
        ByteBuffer[] buffers = new ByteBuffer[2 * MAX_BATCH];
        try {
            while (true) {
                frames.add(queue.take());
                queue.drainTo(frames, MAX_BATCH - 1);
                long bytes = 0;
                for (int i = 0; i < frames.size(); i++) {
                    byte[] frame = frames.get(i);
                    buffers[2 * i] = ByteBuffer.allocate(4).putInt(0, frame.length);
                    buffers[2 * i + 1] = ByteBuffer.wrap(frame);
                    bytes += frame.length;
                }
                int count = 2 * frames.size();
                while (buffers[count - 1].hasRemaining()) {
                    channel.write(buffers, 0, count);
                }
                queuedBytes.addAndGet(-bytes);
                frames.clear();
            }
        } catch (InterruptedException e) {
            // closed
        } catch (IOException e) {
            close("failed to write: " + e);
        }
    }

    /** Detaches and closes; the first reason given is logged, none when the daemon itself closed the port. */
    void close(String why) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        segment.detach(this);
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to lose on this socket
        }
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
        queue.clear();
        if (why != null) {
            LOG.log(Level.INFO, label + ": port closed: " + why);
        }
        onClosed.accept(this);
    }
}
