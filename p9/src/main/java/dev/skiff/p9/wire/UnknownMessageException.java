package dev.skiff.p9.wire;

/**
 * A well-framed message of a type this codec does not implement (for example 9P2000's Topen
 * or Tstat, which a 9P2000.L client never sends). The frame boundary is intact, so a server
 * can answer it with Rlerror(EOPNOTSUPP) and go on.
 */
public final class UnknownMessageException extends MalformedMessageException {
    private final int type;
    private final int tag;

    public UnknownMessageException(int type, int tag) {
        super("unsupported message type " + type);
        this.type = type;
        this.tag = tag;
    }

    public int messageType() {
        return type;
    }

    public int tag() {
        return tag;
    }
}
