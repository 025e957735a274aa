package dev.skiff.ttrpc.frame;

import java.util.Objects;

/** Ends a stream; data is an encoded {@code ttrpc.Response}. No flags are defined. */
public record ResponseFrame(int streamId, int flags, byte[] payload) implements Frame {
    public ResponseFrame {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public MessageType type() {
        return MessageType.RESPONSE;
    }

    @Override
    public String toString() {
        return "ResponseFrame[stream=" + Integer.toUnsignedString(streamId) + ", flags=0x" + Integer.toHexString(flags)
                + ", length=" + payload.length + "]";
    }
}
