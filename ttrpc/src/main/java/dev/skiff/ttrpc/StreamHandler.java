package dev.skiff.ttrpc;

/** Serves a streaming method. */
@FunctionalInterface
public interface StreamHandler {
    /**
     * @param call the call's context (metadata, deadline)
     * @param stream receives the client's messages and sends the server's
     * @return the final message: for a non-streaming server the response payload; for a
     *     streaming server {@code null} ends the stream with no data, otherwise the bytes are sent
     *     as the last Data frame
     * @throws Exception mapped to a status by {@link StatusMapper}
     */
    byte[] handle(ServerCall call, ServerStream stream) throws Exception;
}
