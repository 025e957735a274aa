package dev.skiff.ttrpc.frame;

import java.io.IOException;

/**
 * A frame whose data length exceeds {@link FrameHeader#MAX_DATA_LENGTH}. Thrown by
 * {@link FrameWriter} before writing anything, and by {@link FrameReader} after it has skipped
 * the oversized data, so the stream of frames stays in sync and the connection can go on.
 */
public final class OversizedFrameException extends IOException {
    private final int streamId;
    private final long length;

    public OversizedFrameException(int streamId, long length) {
        super("message length " + length + " exceeds maximum message size of " + FrameHeader.MAX_DATA_LENGTH
                + " (stream " + Integer.toUnsignedString(streamId) + ")");
        this.streamId = streamId;
        this.length = length;
    }

    /** The stream the oversized frame belonged to. */
    public int streamId() {
        return streamId;
    }

    /** The rejected data length. */
    public long length() {
        return length;
    }

    /** The cap that was exceeded. */
    public int maximum() {
        return FrameHeader.MAX_DATA_LENGTH;
    }
}
