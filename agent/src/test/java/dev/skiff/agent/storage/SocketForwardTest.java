package dev.skiff.agent.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.agent.api.SocketRelayProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest end of a forwarded socket, run on the host: a TCP server on loopback stands for the
 * host's relay (the engine's SocketRelay, tested on its own), recording the token each connection
 * presents and answering what it read, upper-cased, after the client's half-close.
 */
class SocketForwardTest {
    @TempDir
    Path dir;

    private ServerSocket relay;
    private final BlockingQueue<byte[]> tokens = new LinkedBlockingQueue<>();

    @BeforeEach
    void startRelay() throws IOException {
        relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (true) {
                Socket s;
                try {
                    s = relay.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        tokens.add(s.getInputStream().readNBytes(SocketRelayProtocol.TOKEN_BYTES));
                        String in = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        s.getOutputStream().write(in.toUpperCase().getBytes(StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // the forward went away
                    }
                });
            }
        });
    }

    @AfterEach
    void stopRelay() throws IOException {
        relay.close();
    }

    private static byte[] token() {
        byte[] t = new byte[SocketRelayProtocol.TOKEN_BYTES];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) (i * 7 + 1);
        }
        return t;
    }

    private static String exchange(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // reset or broken pipe: the forward closed before or while we wrote, which is how a
            // refused connection ends
            return "";
        }
    }

    @Test
    void eachConnectionPresentsTheTokenThenCarriesBytesBothWays() throws Exception {
        Path path = dir.resolve("storage/sock-1");
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.getLocalPort());
        try (SocketForward f = SocketForward.start(path, at, token())) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals("GET /_PING", exchange(path, "GET /_ping"));
            assertEquals("SECOND", exchange(path, "second"));
            assertArrayEquals(token(), tokens.poll(30, TimeUnit.SECONDS));
            assertArrayEquals(token(), tokens.poll(30, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(path), "closing the forward removes its socket file");
    }

    @Test
    void closingEndsLiveConnections() throws Exception {
        Path path = dir.resolve("sock-2");
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.getLocalPort());
        SocketForward f = SocketForward.start(path, at, token());
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            assertArrayEquals(token(), tokens.poll(30, TimeUnit.SECONDS), "the connection reached the relay");
            f.close();
            assertEquals(-1, Channels.newInputStream(ch).read());
        }
    }

    @Test
    void anUnreachableRelayClosesTheGuestConnection() throws Exception {
        Path path = dir.resolve("sock-3");
        int port = relay.getLocalPort();
        relay.close();
        try (SocketForward f = SocketForward.start(path, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                token())) {
            assertEquals("", exchange(path, "anyone?"));
        }
    }

    @Test
    void aTokenOfTheWrongLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SocketForward.start(dir.resolve("s"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), new byte[3]));
    }
}
