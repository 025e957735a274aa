package dev.skiff.engine.network.fabric;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU 7.2 listens on a hot-plugged NIC's socket from a worker thread, after netdev_add has
 * returned: the daemon's connect must wait for it, within a bound.
 */
class StreamPortConnectTest {
    @TempDir
    Path tmp;

    /** The socket appears 300 ms after the connect began: a connect that does not wait fails with ENOENT. */
    @Test
    void aSocketThatAppearsLaterIsConnected() throws Exception {
        Path socket = tmp.resolve("net-late.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Thread listener = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                    server.bind(UnixDomainSocketAddress.of(socket));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SocketChannel ch = StreamPort.connect("vm-1", socket, Duration.ofSeconds(30));
                 SocketChannel accepted = server.accept()) {
                assertTrue(ch.isConnected() && accepted.isConnected());
            }
            listener.join();
        }
    }

    @Test
    void aSocketNobodyListensOnFailsAfterTheWaitNamingIt() {
        Path socket = tmp.resolve("net-never.sock");
        IOException e = assertThrows(IOException.class, () -> StreamPort.connect("vm-2", socket, Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains(socket.toString()) && e.getMessage().contains("vm-2")
                && e.getMessage().contains("did not listen on it within 300 ms"), e.getMessage());
    }
}
