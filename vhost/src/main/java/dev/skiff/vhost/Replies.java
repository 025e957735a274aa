package dev.skiff.vhost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes the back-end's replies: a header with flags exactly {@link VhostUser#REPLY_FLAGS}
 * (QEMU refuses any other) and the payload layouts of "Message Specification".
 */
public final class Replies {
    private Replies() {}

    /** A u64 reply: features, a queue count, a slot count, or a REPLY_ACK status (0 is success). */
    public static byte[] u64(int request, long value) {
        ByteBuffer b = start(request, 8);
        b.putLong(value);
        return b.array();
    }

    /** A vring state reply (GET_VRING_BASE): u32 index, u32 num. */
    public static byte[] vringState(int request, int index, int num) {
        ByteBuffer b = start(request, 8);
        b.putInt(index).putInt(num);
        return b.array();
    }

    /** A GET_CONFIG reply: the request's offset, size and flags echoed, then {@code size} bytes. */
    public static byte[] config(int request, int offset, int flags, byte[] bytes) {
        ByteBuffer b = start(request, MessageDecoder.CONFIG_HEADER + bytes.length);
        b.putInt(offset).putInt(bytes.length).putInt(flags).put(bytes);
        return b.array();
    }

    private static ByteBuffer start(int request, int size) {
        ByteBuffer b = ByteBuffer.allocate(Header.SIZE + size).order(ByteOrder.LITTLE_ENDIAN);
        Header.reply(request, size).encode(b);
        return b;
    }
}
