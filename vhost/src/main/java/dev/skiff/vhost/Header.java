package dev.skiff.vhost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 12-byte header of every vhost-user message ("Message Specification"): {@code u32 request,
 * u32 flags, u32 size}, in the host's byte order, which is little-endian on x86-64 and arm64.
 */
public record Header(int request, int flags, int size) {
    public static final int SIZE = 12;

    public boolean needReply() {
        return (flags & VhostUser.FLAG_NEED_REPLY) != 0;
    }

    /** The header of a reply to {@code request} with {@code size} payload bytes. */
    public static Header reply(int request, int size) {
        return new Header(request, VhostUser.REPLY_FLAGS, size);
    }

    static Header decode(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        return new Header(b.getInt(0), b.getInt(4), b.getInt(8));
    }

    void encode(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(request).putInt(flags).putInt(size);
    }
}
