package dev.skiff.ttrpc.frame;

import java.nio.ByteBuffer;

/**
 * The fixed 10-byte header in front of every frame: data length, stream id, type, flags.
 *
 * <p>{@code length} and {@code streamId} are unsigned 32-bit values held in Java ints; use
 * {@link Integer#toUnsignedLong(int)} to print or compare them. {@code type} is the raw byte so
 * that a header with a type this implementation does not know can still be read and skipped.
 */
public record FrameHeader(int length, int streamId, int type, int flags) {
    /** Size of the header on the wire. */
    public static final int SIZE = 10;

    /** The largest data length accepted or sent: 4 MiB, as containerd's {@code messageLengthMax}. */
    public static final int MAX_DATA_LENGTH = 4 << 20;

    public FrameHeader {
        if ((type & ~0xff) != 0 || (flags & ~0xff) != 0) {
            throw new IllegalArgumentException("type and flags are single bytes: type=" + type + " flags=" + flags);
        }
    }

    /** Reads a header from the first 10 bytes of {@code b}. */
    public static FrameHeader decode(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b, 0, SIZE); // big-endian by default
        return new FrameHeader(buf.getInt(), buf.getInt(), buf.get() & 0xff, buf.get() & 0xff);
    }

    /** Writes this header into the first 10 bytes of {@code b}. */
    public void encode(byte[] b) {
        ByteBuffer.wrap(b, 0, SIZE).putInt(length).putInt(streamId).put((byte) type).put((byte) flags);
    }

    /** The data length as an unsigned value. */
    public long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }

    /** Whether the data length is within {@link #MAX_DATA_LENGTH}. */
    public boolean withinCap() {
        return unsignedLength() <= MAX_DATA_LENGTH;
    }

    /** The known message type, or {@code null}. */
    public MessageType messageType() {
        return MessageType.fromCode(type);
    }
}
