package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.StreamType;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
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
 */
final class LogFile {
    /** A record's header: stream, length, time. */
    static final int HEADER = 1 + 4 + 8;
    /** Frames longer than this are a corrupt log, not output (the agent sends at most 32 KiB). */
    static final int MAX_FRAME = 4 << 20;

    private final Path path;
    private OutputStream out; // guarded by this

    LogFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    synchronized void append(Frame f) throws IOException {
        if (out == null) {
            out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.put((byte) (f.type() == StreamType.STDERR ? 2 : 1)).putInt(f.data().length).putLong(f.epochNanos());
        out.write(header.array());
        out.write(f.data());
        out.flush();
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
                frames.addLast(new Frame(type == 2 ? StreamType.STDERR : StreamType.STDOUT, time, data));
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
