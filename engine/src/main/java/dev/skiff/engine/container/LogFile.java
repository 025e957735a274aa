package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.StreamType;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A container's log on disk: every output chunk as a frame {@code [stream:1][length:4][time:8][bytes]},
 * appended as it arrives. Binary-safe (a process may write any bytes), and each frame keeps its
 * stream and time, which docker logs needs for --timestamps, --since and --until.
 *
 * <p>Each run of the process begins with an empty frame of stream 0, which readers skip: a daemon
 * that takes up a running container after a restart counts the bytes of each stream since it
 * ({@link #resume}) and asks the agent for the output from there, so no byte is written twice and
 * none that was in flight when the last daemon died is lost. A frame is one write(2), and a frame
 * cut short by a crash all the same is cut off before the next daemon appends.
 */
final class LogFile {
    /** A record's header: stream, length, time. */
    static final int HEADER = 1 + 4 + 8;
    /** Frames longer than this are a corrupt log, not output (the agent sends at most 32 KiB). */
    static final int MAX_FRAME = 4 << 20;
    private static final byte RUN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;

    private final Path path;
    private OutputStream out; // guarded by this

    LogFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    synchronized void append(Frame f) throws IOException {
        write(f.type() == StreamType.STDERR ? STDERR : STDOUT, f.epochNanos(), f.data());
    }

    /** A new run of the process begins: the bytes of each stream are counted from here. */
    synchronized void beginRun() throws IOException {
        write(RUN, System.currentTimeMillis() * 1_000_000L, new byte[0]);
    }

    private void write(byte stream, long epochNanos, byte[] data) throws IOException {
        if (out == null) {
            out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER + data.length); // one write: a kill cannot split it
        frame.put(stream).putInt(data.length).putLong(epochNanos).put(data);
        out.write(frame.array());
        out.flush();
    }

    /**
     * For a daemon taking up a run that an earlier one wrote: cuts off a frame that a crash left
     * incomplete, and gives the bytes of stdout and stderr (in that order) since the run began.
     */
    synchronized long[] resume() throws IOException {
        close();
        long[] run = new long[2];
        if (!Files.exists(path)) {
            return run;
        }
        long whole = 0; // the end of the last complete frame
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            while (true) {
                byte stream;
                int length;
                try {
                    stream = in.readByte();
                    length = in.readInt();
                    in.readLong();
                    if (length < 0 || length > MAX_FRAME) {
                        break; // corrupt from here on: cut off, so that the log reads again
                    }
                    in.skipNBytes(length);
                } catch (EOFException e) {
                    break;
                }
                whole += HEADER + length;
                if (stream == RUN) {
                    run = new long[2];
                } else {
                    run[stream == STDERR ? 1 : 0] += length;
                }
            }
        }
        if (whole < Files.size(path)) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(whole);
            }
        }
        return run;
    }

    /** Every frame written so far; {@code tail} >= 0 keeps only the last that many. */
    synchronized List<Frame> read(int tail) throws IOException {
        Deque<Frame> frames = new ArrayDeque<>();
        if (!Files.exists(path)) {
            return List.of();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            while (true) {
                int type;
                try {
                    type = in.readUnsignedByte();
                } catch (EOFException e) {
                    break;
                }
                int length = in.readInt();
                long time = in.readLong();
                if (length < 0 || length > MAX_FRAME) {
                    throw new IOException("log " + path + " is corrupt (frame of " + length + " bytes)");
                }
                byte[] data = in.readNBytes(length);
                if (type == RUN) {
                    continue;
                }
                frames.addLast(new Frame(type == STDERR ? StreamType.STDERR : StreamType.STDOUT, time, data));
                if (tail >= 0 && frames.size() > tail) {
                    frames.removeFirst();
                }
            }
        }
        return new ArrayList<>(frames);
    }

    synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the log is flushed after every frame
            }
            out = null;
        }
    }
}
