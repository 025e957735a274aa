package dev.skiff.agent.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The socket relay's wire protocol, shared by its two ends: a host unix socket (the daemon's own
 * API socket, or any socket a container bind-mounts) reached from a unix socket the agent made in
 * the guest. The agent opens one TCP connection to the host's relay per guest connection, writes
 * the {@value #TOKEN_BYTES}-byte token the host gave it for that forward, and from then on both
 * ends only copy bytes, passing on half-closes (the docker CLI ends an attach's input with one and
 * still reads the output).
 */
public final class SocketRelayProtocol {
    /** The token's length: 256 random bits, so a guessed token never reaches a host socket. */
    public static final int TOKEN_BYTES = 32;

    private static final int BUFFER_BYTES = 64 * 1024;

    private SocketRelayProtocol() {}

    /**
     * Copies bytes both ways until both directions ended, then closes both channels. An end of
     * stream on one side shuts down output on the other; an error on either side closes both,
     * which ends the other direction too. Blocks the caller for the connection's life.
     */
    public static void splice(SocketChannel a, SocketChannel b) {
        Thread back = Thread.ofVirtual().name("relay-back").start(() -> copy(b, a));
        copy(a, b);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    public static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
