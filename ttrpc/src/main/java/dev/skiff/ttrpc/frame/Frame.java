package dev.skiff.ttrpc.frame;

/**
 * One ttrpc frame: a header's stream id and flags plus its data. One record per message type;
 * dispatch with an exhaustive {@code switch}.
 *
 * <p>The payload array is owned by the frame and must not be modified after construction.
 */
public sealed interface Frame permits RequestFrame, ResponseFrame, DataFrame {

    /** The stream this frame belongs to (unsigned 32-bit). */
    int streamId();

    /** The header's flag byte. */
    int flags();

    /** The frame data, never {@code null} (possibly empty). */
    byte[] payload();

    /** The header's message type. */
    MessageType type();

    /** The header that precedes this frame's data. */
    default FrameHeader header() {
        return new FrameHeader(payload().length, streamId(), type().code(), flags());
    }

    /** Builds the frame for a header of known type and its data. */
    static Frame of(MessageType type, int streamId, int flags, byte[] payload) {
        return switch (type) {
            case REQUEST -> new RequestFrame(streamId, flags, payload);
            case RESPONSE -> new ResponseFrame(streamId, flags, payload);
            case DATA -> new DataFrame(streamId, flags, payload);
        };
    }

    /** Whether the header has the given flag bit(s). */
    default boolean hasFlag(int flag) {
        return Flags.has(flags(), flag);
    }
}
