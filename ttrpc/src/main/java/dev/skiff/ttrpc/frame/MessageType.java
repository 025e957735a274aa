package dev.skiff.ttrpc.frame;

/** The message type byte of a frame header (PROTOCOL.md, "Message Types"). */
public enum MessageType {
    /** 0x1: initiates a stream. */
    REQUEST(0x1),
    /** 0x2: final stream data; terminates the stream. */
    RESPONSE(0x2),
    /** 0x3: stream data on an already initiated stream. */
    DATA(0x3);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The wire value of this type. */
    public int code() {
        return code;
    }

    /** The type for a wire value, or {@code null} for a type this implementation does not know. */
    public static MessageType fromCode(int code) {
        return switch (code) {
            case 0x1 -> REQUEST;
            case 0x2 -> RESPONSE;
            case 0x3 -> DATA;
            default -> null;
        };
    }
}
