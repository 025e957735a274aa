package dev.skiff.ttrpc.frame;

/** Flag bits of a frame header; which apply depends on the message type (PROTOCOL.md). */
public final class Flags {
    /** 0x1 {@code remote closed}: the sender will send no more data on this stream. */
    public static final int REMOTE_CLOSED = 0x1;
    /** 0x2 {@code remote open}: on a Request, the sender will still send Data frames. */
    public static final int REMOTE_OPEN = 0x2;
    /** 0x4 {@code no data}: on a Data frame, the frame carries no message at all. */
    public static final int NO_DATA = 0x4;

    private Flags() {}

    /** Whether {@code flags} has every bit of {@code flag}. */
    public static boolean has(int flags, int flag) {
        return (flags & flag) == flag;
    }
}
