package dev.skiff.engine.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.agent.api.SocketRelayProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay between a guest's TCP connection and a host unix socket, with a real unix socket
 * server as the host end (an upper-casing echo that answers after its input ends, as an HTTP
 * client's half-close needs) and plain TCP clients standing in for the agent.
 */
class SocketRelayTest {
    @TempDir
    Path dir;

    private ServerSocketChannel hostSocket;
    private final BlockingQueue<String> served = new LinkedBlockingQueue<>();
    private final SocketRelay relay = new SocketRelay();

    @BeforeEach
    void startHostSocket() throws IOException {
        hostSocket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        hostSocket.bind(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        Thread.ofVirtual().start(() -> {
            while (true) {
                SocketChannel ch;
                try {
                    ch = hostSocket.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (ch) {
                        String in = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                        served.add(in);
                        Channels.newOutputStream(ch).write(in.toUpperCase().getBytes(StandardCharsets.UTF_8));
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        relay.close();
        hostSocket.close();
    }

    private Socket connect(SocketRelay.Ticket t, byte[] token) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port());
        s.setSoTimeout(30_000);
        s.getOutputStream().write(token);
        return s;
    }

    private static String exchange(Socket s, String request) throws IOException {
        try {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
        } catch (java.net.SocketException e) {
            return ""; // the relay closed first (a refused token): a broken pipe here
        }
        return readToEnd(s);
    }

    /** What the relay sent before it closed; a reset (it closed with our bytes unread) counts as nothing sent. */
    private static String readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException e) {
            return "";
        }
    }

    @Test
    void aConnectionWithItsTokenReachesTheHostSocketAndHalfClosesPassThrough() throws Exception {
        SocketRelay.Ticket t = relay.open(dir.resolve("api.sock"));
        try (Socket s = connect(t, t.token())) {
            assertEquals("GET /_PING HTTP/1.1\r\n\r\n", exchange(s, "GET /_ping HTTP/1.1\r\n\r\n"));
        }
        assertEquals("GET /_ping HTTP/1.1\r\n\r\n", served.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void aWrongTokenIsClosedWithoutReachingTheHostSocket() throws Exception {
        SocketRelay.Ticket t = relay.open(dir.resolve("api.sock"));
        byte[] wrong = t.token();
        wrong[0] ^= 1;
        try (Socket s = connect(t, wrong)) {
            assertEquals("", exchange(s, "hello"));
        }
        // a good connection after it is served, and it is the only one the host socket saw
        try (Socket s = connect(t, t.token())) {
            assertEquals("OK", exchange(s, "ok"));
        }
        assertEquals("ok", served.poll(30, TimeUnit.SECONDS));
        assertNull(served.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aShortTokenIsRefused() throws Exception {
        SocketRelay.Ticket t = relay.open(dir.resolve("api.sock"));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(new byte[] {1, 2, 3});
            s.shutdownOutput();
            assertEquals("", readToEnd(s));
        }
        assertNull(served.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void closingATicketRevokesItsTokenAndEndsItsConnections() throws Exception {
        SocketRelay.Ticket t = relay.open(dir.resolve("api.sock"));
        SocketRelay.Ticket other = relay.open(dir.resolve("api.sock"));
        assertEquals(2, relay.live());
        try (Socket open = connect(t, t.token())) {
            open.getOutputStream().write("pending".getBytes(StandardCharsets.UTF_8));
            t.close();
            assertEquals(1, relay.live());
            assertEquals("", readToEnd(open), "a live connection ends with its ticket");
        }
        try (Socket s = connect(t, t.token())) {
            assertEquals("", exchange(s, "again"));
        }
        try (Socket s = connect(other, other.token())) {
            assertEquals("STILL", exchange(s, "still"));
        }
    }

    @Test
    void tokensAreRandomAndOfTheProtocolsLength() throws Exception {
        byte[] a = relay.open(dir.resolve("api.sock")).token();
        byte[] b = relay.open(dir.resolve("api.sock")).token();
        assertEquals(SocketRelayProtocol.TOKEN_BYTES, a.length);
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a, b));
    }

    /**
     * A daemon killed and started again: the guest's end of a forward still connects to the port and
     * presents the token it was given, so the next relay listens there again and takes the token up.
     */
    @Test
    void aSavedForwardIsTakenUpByTheNextRelayOnItsPortWithItsToken() throws Exception {
        Path state = dir.resolve("state/socket-relay.json");
        SocketRelay first = new SocketRelay(state);
        SocketRelay.Ticket t = first.open(dir.resolve("api.sock"));
        t.saveAs("sock-1");
        SocketRelay.Ticket gone = first.open(dir.resolve("api.sock"));
        gone.saveAs("sock-2");
        gone.close(); // its container's mount went: revoked for good
        SocketRelay.Ticket unclaimed = first.open(dir.resolve("api.sock"));
        unclaimed.saveAs("sock-3");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(state)));
        int port = t.port();
        byte[] token = t.token();
        first.close(); // as the process's death: the listener goes, the state stays

        SocketRelay next = new SocketRelay(state);
        try {
            SocketRelay.Ticket back = next.resume("sock-1", dir.resolve("api.sock"));
            assertEquals(port, back.port());
            try (Socket s = connect(back, token)) {
                assertEquals("AFTER THE RESTART", exchange(s, "after the restart"));
            }
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> next.resume("sock-2", dir.resolve("api.sock")), "a revoked forward stays revoked");
            next.forgetUnclaimed(); // sock-3's container did not come back
        } finally {
            next.close();
        }
        SocketRelay third = new SocketRelay(state);
        try {
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> third.resume("sock-3", dir.resolve("api.sock")), "an unclaimed forward is dropped");
            assertEquals(port, third.resume("sock-1", dir.resolve("api.sock")).port(), "a taken-up one is kept");
        } finally {
            third.close();
        }
    }

    @Test
    void aForwardCannotBeTakenUpWhenItsPortIsTaken() throws Exception {
        Path state = dir.resolve("socket-relay.json");
        SocketRelay first = new SocketRelay(state);
        SocketRelay.Ticket t = first.open(dir.resolve("api.sock"));
        t.saveAs("sock-1");
        int port = t.port();
        first.close();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             SocketRelay next = new SocketRelay(state)) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> next.resume("sock-1", dir.resolve("api.sock")));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("port " + port), e.getMessage());
            // new forwards still work, on a port of their own
            SocketRelay.Ticket fresh = next.open(dir.resolve("api.sock"));
            try (Socket s = connect(fresh, fresh.token())) {
                assertEquals("NEW", exchange(s, "new"));
            }
        }
    }
}
