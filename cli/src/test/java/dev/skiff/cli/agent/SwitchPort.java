package dev.skiff.cli.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The test's stand-in for the daemon's Ethernet switch: one port, connected to a hot-plugged
 * NIC's stream socket (QEMU {@code -netdev stream}: each frame a 4-byte big-endian length and the
 * Ethernet frame). A virtual thread reads every frame the VM sends into a queue, so the VM is
 * never held up by a full socket; the test looks for the frames it expects.
 */
final class SwitchPort implements AutoCloseable {
    /** An ARP request seen on the wire: the Ethernet source and the address asked for. */
    record ArpRequest(String sourceMac, String senderMac, String targetIp) {}

    private final SocketChannel channel;
    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

    SwitchPort(Path socket) throws IOException {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("switch-port").start(this::readFrames);
    }

    private void readFrames() {
        ByteBuffer length = ByteBuffer.allocate(4);
        try {
            while (true) {
                length.clear();
                readFully(length);
                ByteBuffer frame = ByteBuffer.allocate(length.flip().getInt());
                readFully(frame);
                frames.add(frame.array());
            }
        } catch (IOException e) {
            // closed by the test or by QEMU: no more frames
        }
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("end of stream");
            }
        }
    }

    /** Waits for an ARP request for {@code targetIp}, skipping every other frame. */
    ArpRequest awaitArpRequest(String targetIp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            byte[] f = frames.poll(left, TimeUnit.NANOSECONDS);
            if (f == null) {
                break;
            }
            ArpRequest arp = arpRequest(f);
            if (arp != null && arp.targetIp().equals(targetIp)) {
                return arp;
            }
        }
        throw new AssertionError("no ARP request for " + targetIp + " reached the switch in " + timeout.toSeconds() + " s");
    }

    /** An Ethernet II frame holding an IPv4-over-Ethernet ARP request, else null. */
    static ArpRequest arpRequest(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < 42 || b.getShort(12) != 0x0806 || b.getShort(14) != 1 || b.getShort(16) != 0x0800
                || b.getShort(20) != 1) {
            return null;
        }
        try {
            byte[] target = new byte[4];
            b.get(38, target);
            return new ArpRequest(mac(f, 6), mac(f, 22), InetAddress.getByAddress(target).getHostAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static String mac(byte[] f, int offset) {
        return HexFormat.ofDelimiter(":").formatHex(f, offset, offset + 6);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
