package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A peer's close against its half-close, seen on the JDK's own channel through its descriptor. */
class SocketsTest {
    @TempDir
    Path dir;

    @Test
    void aHalfCloseIsNoHangUpAFullCloseIs() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            SocketChannel client = SocketChannel.open(address);
            try (SocketChannel accepted = server.accept()) {
                int fd = Sockets.fd(accepted);
                assertTrue(fd >= 0, "the channel's descriptor (the tests run with --add-exports java.base/sun.nio.ch)");
                assertFalse(Sockets.peerClosed(fd), "connected");
                client.shutdownOutput(); // what docker attach does when its stdin ends
                assertFalse(Sockets.peerClosed(fd), "half-closed: the client still reads");
                client.close();
                assertTrue(Sockets.peerClosed(fd), "closed");
            }
        }
    }

    @Test
    void noDescriptorForAChannelThatIsNotTheJdksSocket() throws Exception {
        try (var pipe = java.nio.channels.FileChannel.open(dir.resolve("f"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            assertTrue(Sockets.fd(pipe) == -1);
        }
    }
}
