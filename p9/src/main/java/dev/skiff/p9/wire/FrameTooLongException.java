package dev.skiff.p9.wire;

/** A frame whose size[4] field is below the header size or above the negotiated msize. */
public final class FrameTooLongException extends MalformedMessageException {
    private final long size;
    private final int limit;

    public FrameTooLongException(long size, int limit) {
        super("frame of " + size + " bytes is outside 7.." + limit);
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}
