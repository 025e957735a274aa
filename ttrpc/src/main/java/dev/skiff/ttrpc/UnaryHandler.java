package dev.skiff.ttrpc;

/** Serves a unary method: one encoded request in, one encoded response out. */
@FunctionalInterface
public interface UnaryHandler {
    /**
     * @param call the call's context (metadata, deadline)
     * @param request the encoded request message
     * @return the encoded response message ({@code null} is sent as empty)
     * @throws Exception mapped to a status by {@link StatusMapper}
     */
    byte[] handle(ServerCall call, byte[] request) throws Exception;
}
