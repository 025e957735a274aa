package dev.skiff.ttrpc.frame;

import java.util.Objects;

/** Initiates a stream; data is an encoded {@code ttrpc.Request}. Flags: {@link Flags#REMOTE_CLOSED}, {@link Flags#REMOTE_OPEN}; none means unary. */
public record RequestFrame(int streamId, int flags, byte[] payload) implements Frame {
    public RequestFrame {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public MessageType type() {
        return MessageType.REQUEST;
    }

    @Override
    public String toString() {
        return "RequestFrame[stream=" + Integer.toUnsignedString(streamId) + ", flags=0x" + Integer.toHexString(flags)
                + ", length=" + payload.length + "]";
    }
}
