package dev.skiff.ttrpc;

import java.util.Optional;

/** The server's view of a streaming call. Used by the handler's thread only. */
public interface ServerStream {
    /**
     * The next message from the client, or empty once the client closed its side.
     *
     * @throws TtrpcException if the call was cancelled or its deadline passed
     * @throws InterruptedException if the handler thread was interrupted
     */
    Optional<byte[]> recv() throws TtrpcException, InterruptedException;

    /**
     * Sends one message to the client (only for a streaming server).
     *
     * @throws TtrpcException if the call is over, the message is too large, or the connection failed
     */
    void send(byte[] message) throws TtrpcException;
}
