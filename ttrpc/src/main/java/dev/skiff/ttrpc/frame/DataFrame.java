package dev.skiff.ttrpc.frame;

import java.util.Objects;

/** Stream data on an open stream. Flags: {@link Flags#REMOTE_CLOSED}, {@link Flags#NO_DATA}. */
public record DataFrame(int streamId, int flags, byte[] payload) implements Frame {
    public DataFrame {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public MessageType type() {
        return MessageType.DATA;
    }

    @Override
    public String toString() {
        return "DataFrame[stream=" + Integer.toUnsignedString(streamId) + ", flags=0x" + Integer.toHexString(flags)
                + ", length=" + payload.length + "]";
    }
}
