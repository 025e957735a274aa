package dev.skiff.engine.network.fabric;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * QEMU's side of {@code -netdev stream,server=on,addr.type=unix}: a listening UNIX socket, one
 * client, length-prefixed frames both ways. A virtual thread collects what the switch sends.
 */
final class FakeQemu implements AutoCloseable {
    static final byte[] EOF = new byte[0];

    final Path socket;
    private final ServerSocketChannel server;
    private SocketChannel client;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

    FakeQemu(Path dir, String name) throws IOException {
        socket = dir.resolve(name + ".sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    /** Accepts the switch's connection (it may connect first: the backlog holds it). */
    void accept() throws IOException {
        client = server.accept();
        Thread.ofVirtual().start(this::collect);
    }

    private void collect() {
        try {
            ByteBuffer header = ByteBuffer.allocate(4);
            while (true) {
                header.clear();
                if (!readFully(header)) {
                    break;
                }
                ByteBuffer frame = ByteBuffer.allocate(header.getInt(0));
                if (!readFully(frame)) {
                    break;
                }
                received.add(frame.array());
            }
        } catch (IOException e) {
            // closed
        }
        received.add(EOF);
    }

    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (client.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    void send(byte[] frame) throws IOException {
        sendRaw(ByteBuffer.allocate(4).putInt(0, frame.length), ByteBuffer.wrap(frame));
    }

    synchronized void sendRaw(ByteBuffer... buffers) throws IOException {
        while (buffers[buffers.length - 1].hasRemaining()) {
            client.write(buffers);
        }
    }

    /** The next frame from the switch, {@link #EOF} once it closed the connection, null after the timeout. */
    byte[] next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean nothingWithin(long millis) throws InterruptedException {
        return next(millis) == null;
    }

    void closeClient() throws IOException {
        client.close();
    }

    @Override
    public void close() throws IOException {
        if (client != null) {
            client.close();
        }
        server.close();
    }
}
