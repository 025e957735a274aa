package dev.skiff.erofs.write;

import dev.skiff.erofs.format.Erofs;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The image file, written front to back through a buffer; only block 0 is written out of order, at the end.
 *
 * <p>Full buffers are handed to one writer thread ({@link #BUFFERS} of {@link #BUFFER} bytes rotate), so that
 * reading and parsing the tar overlaps with writing the image. A buffer belongs to the appending thread until
 * {@link #flush()} queues it, then to the writer thread until it is back in the free list. A write error is
 * kept and thrown by the next flush, {@link #writeAt} or {@link #finish}.
 */
public final class ImageOutput implements Closeable {
    /** Size of one write buffer. */
    public static final int BUFFER = 1 << 20;
    /** Buffers in rotation between the appender and the writer thread. */
    public static final int BUFFERS = 4;

    private record Job(byte[] data, int length, long offset, java.util.concurrent.CountDownLatch done) {}

    private static final Job STOP = new Job(null, 0, 0, null);

    private final FileChannel channel;
    private final java.util.concurrent.BlockingQueue<Job> jobs =
            new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS);
    private final java.util.concurrent.BlockingQueue<byte[]> free =
            new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS);
    private final Thread writer;
    private volatile IOException failure;
    private byte[] buf = new byte[BUFFER];
    private long bufStart;
    private int bufLen;

    private ImageOutput(FileChannel channel, long start) {
        this.channel = channel;
        this.bufStart = start;
        for (int i = 1; i < BUFFERS; i++) {
            free.add(new byte[BUFFER]);
        }
        this.writer = Thread.ofPlatform().daemon().name("erofs-image-writer").start(this::drain);
    }

    /** The writer thread: writes queued buffers in order, then returns them to the free list. */
    private void drain() {
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            if (job.done() != null) {
                job.done().countDown();
                continue;
            }
            if (failure == null) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(job.data(), 0, job.length());
                    long at = job.offset();
                    while (b.hasRemaining()) {
                        at += channel.write(b, at);
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            free.add(job.data());
        }
    }

    private void check() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException("failed to write the image: " + f.getMessage(), f);
        }
    }

    private void put(Job job) throws IOException {
        try {
            jobs.put(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing the image");
        }
    }

    /** Waits until everything queued so far is written. */
    private void sync() throws IOException {
        flush();
        var done = new java.util.concurrent.CountDownLatch(1);
        put(new Job(null, 0, 0, done));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing the image");
        }
        check();
    }

    /** Creates (or truncates) {@code path}; appending starts at {@code start}. */
    public static ImageOutput create(Path path, long start) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return new ImageOutput(ch, start);
    }

    /** Position of the next appended byte. */
    public long position() {
        return bufStart + bufLen;
    }

    /** Appends exactly {@code n} bytes from {@code in}; returns how many were available before it ended. */
    public long transferFrom(InputStream in, long n) throws IOException {
        long done = 0;
        while (done < n) {
            if (bufLen == buf.length) {
                flush();
            }
            int k = (int) Math.min(n - done, buf.length - bufLen);
            int got = in.readNBytes(buf, bufLen, k);
            bufLen += got;
            done += got;
            if (got < k) {
                break;
            }
        }
        return done;
    }

    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (bufLen == buf.length) {
                flush();
            }
            int k = Math.min(len, buf.length - bufLen);
            System.arraycopy(b, off, buf, bufLen, k);
            bufLen += k;
            off += k;
            len -= k;
        }
    }

    public void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (bufLen == buf.length) {
                flush();
            }
            int k = Math.min(b.remaining(), buf.length - bufLen);
            b.get(buf, bufLen, k);
            bufLen += k;
        }
    }

    public void writeZeros(long n) throws IOException {
        while (n > 0) {
            if (bufLen == buf.length) {
                flush();
            }
            int k = (int) Math.min(n, buf.length - bufLen);
            java.util.Arrays.fill(buf, bufLen, bufLen + k, (byte) 0);
            bufLen += k;
            n -= k;
        }
    }

    /** Pads with zeros to the next block boundary. */
    public void alignToBlock() throws IOException {
        writeZeros(Erofs.roundUp(position(), Erofs.BLOCK_SIZE) - position());
    }

    /** Writes {@code b} at absolute {@code offset}, outside the append stream (only for block 0). */
    public void writeAt(long offset, ByteBuffer b) throws IOException {
        sync();
        while (b.hasRemaining()) {
            offset += channel.write(b, offset);
        }
    }

    /** Hands the buffer to the writer thread (unless empty) and takes a free one. */
    public void flush() throws IOException {
        check();
        if (bufLen == 0) {
            return;
        }
        put(new Job(buf, bufLen, bufStart, null));
        bufStart += bufLen;
        bufLen = 0;
        try {
            buf = free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing the image");
        }
    }

    /** Writes everything and sets the file's length. */
    public void finish(long length) throws IOException {
        sync();
        channel.truncate(length);
        if (channel.size() < length) {
            channel.write(ByteBuffer.allocate(1), length - 1);
        }
    }

    /** Stops the writer thread (dropping unwritten data) and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            jobs.clear();
            jobs.put(STOP);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channel.close();
        }
    }
}
