package dev.skiff.ttrpc;

/**
 * Which sides of a call stream more than one message (containerd's {@code StreamDesc}). A unary
 * call is a plain request and response and uses {@code Client.call} instead.
 */
public record StreamDesc(boolean streamingClient, boolean streamingServer) {
    public static final StreamDesc CLIENT_STREAMING = new StreamDesc(true, false);
    public static final StreamDesc SERVER_STREAMING = new StreamDesc(false, true);
    public static final StreamDesc BIDI_STREAMING = new StreamDesc(true, true);
}
