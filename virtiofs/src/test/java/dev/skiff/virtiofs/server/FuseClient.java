package dev.skiff.virtiofs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.virtiofs.wire.Fuse;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The guest kernel's side, for tests: encodes requests into native memory as the virtio-fs
 * driver lays them out (header and body readable, reply writable), hands them to a
 * {@link FuseSession}, and parses the reply. Writable buffers are followed by canary bytes that
 * every call checks, so no reply can overflow unnoticed.
 */
public final class FuseClient implements AutoCloseable {
    static final int CANARY = 64;
    static final byte CANARY_BYTE = (byte) 0xA5;

    public final FuseSession session;
    private final Arena arena = Arena.ofShared();
    private long unique = 100;
    int uid = 0, gid = 0;

    public FuseClient(FuseSession session) {
        this.session = session;
    }

    /** A reply: its header fields and its body, little-endian, positioned at the body's start. */
    public record Reply(int written, int len, int error, long unique, ByteBuffer body) {
        public Reply ok() {
            assertEquals(0, error, "FUSE error " + error);
            return this;
        }

        byte[] bytes() {
            byte[] b = new byte[body.remaining()];
            body.duplicate().get(b);
            return b;
        }
    }

    /** An entry_out: node id and the fields of its fuse_attr the tests look at. */
    public record Entry(long nodeid, long generation, long ino, long size, int mode, int nlink, long atime, long mtime) {}

    public static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] cat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] name(String s) {
        return cat(s.getBytes(StandardCharsets.UTF_8), new byte[1]);
    }

    /** The whole request: fuse_in_header with a len that fits, then {@code body}. */
    public byte[] request(int opcode, long nodeid, byte[] body) {
        return cat(le(Fuse.IN_HEADER_SIZE).putInt(Fuse.IN_HEADER_SIZE + body.length).putInt(opcode)
                .putLong(++unique).putLong(nodeid).putInt(uid).putInt(gid).putInt(4242).putInt(0).array(), body);
    }

    public MemorySegment segment(byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s.asSlice(0, bytes.length);
    }

    public Reply call(int opcode, long nodeid, byte[] body) {
        return raw(request(opcode, nodeid, body), 1 << 20 | 4096);
    }

    Reply call(int opcode, long nodeid, byte[] body, int writable) {
        return raw(request(opcode, nodeid, body), writable);
    }

    /** Serves {@code request} with {@code writable} bytes of reply room, split in two segments like header + args. */
    Reply raw(byte[] request, int writable) {
        return serve(List.of(segment(request)), writable);
    }

    Reply serve(List<MemorySegment> readable, int writable) {
        MemorySegment room = arena.allocate(writable + CANARY);
        room.fill(CANARY_BYTE);
        List<MemorySegment> out = writable <= 16
                ? List.of(room.asSlice(0, writable))
                : List.of(room.asSlice(0, 16), room.asSlice(16, writable - 16));
        int written = session.serve(readable, out);
        for (int i = 0; i < CANARY; i++) {
            assertEquals(CANARY_BYTE, room.get(ValueLayout.JAVA_BYTE, writable + i), "canary " + i + " overwritten");
        }
        if (written == 0) {
            return new Reply(0, 0, 0, 0, le(0));
        }
        ByteBuffer b = ByteBuffer.wrap(room.asSlice(0, written).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(), error = b.getInt();
        long u = b.getLong();
        assertEquals(written, len, "written bytes and out header len");
        return new Reply(written, len, error, u, b.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    // --- operations, as the guest kernel sends them ---

    public Reply init() {
        return call(Fuse.INIT, 0, le(64).putInt(7).putInt(37).putInt(128 << 10).putInt(0xffffffff).array());
    }

    public Reply lookup(long parent, String name) {
        return call(Fuse.LOOKUP, parent, name(name));
    }

    public static Entry entry(Reply r) {
        ByteBuffer b = r.ok().body().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long nodeid = b.getLong(0), gen = b.getLong(8);
        return attrAt(b, 40, nodeid, gen);
    }

    static Entry attr(Reply r) {
        ByteBuffer b = r.ok().body().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return attrAt(b, 16, 0, 0);
    }

    private static Entry attrAt(ByteBuffer b, int at, long nodeid, long gen) {
        return new Entry(nodeid, gen, b.getLong(at), b.getLong(at + 8), b.getInt(at + 60), b.getInt(at + 64),
                b.getLong(at + 24), b.getLong(at + 32));
    }

    /** CREATE: {nodeid, fh}. */
    long[] create(long parent, String name, int flags, int mode) {
        Reply r = call(Fuse.CREATE, parent, cat(le(16).putInt(flags).putInt(mode).putInt(022).putInt(0).array(), name(name)));
        Entry e = entry(r);
        return new long[] {e.nodeid(), r.body().getLong(Fuse.ENTRY_OUT_SIZE)};
    }

    public long open(long nodeid, int flags) {
        return call(Fuse.OPEN, nodeid, le(8).putInt(flags).putInt(0).array()).ok().body().getLong(0);
    }

    long opendir(long nodeid) {
        return call(Fuse.OPENDIR, nodeid, le(8).putInt(0).putInt(0).array()).ok().body().getLong(0);
    }

    static byte[] readIn(long fh, long offset, int size) {
        return le(40).putLong(fh).putLong(offset).putInt(size).putInt(0).putLong(0).putInt(0).putInt(0).array();
    }

    Reply read(long fh, long offset, int size) {
        return call(Fuse.READ, 0, readIn(fh, offset, size));
    }

    /** WRITE with fuse_write_in.write_flags (WRITE_KILL_SUIDGID ...). */
    Reply write(long fh, long offset, byte[] data, int writeFlags) {
        return call(Fuse.WRITE, 0, cat(le(40).putLong(fh).putLong(offset).putInt(data.length).putInt(writeFlags).array(), data));
    }

    Reply write(long fh, long offset, byte[] data) {
        return call(Fuse.WRITE, 0, cat(le(40).putLong(fh).putLong(offset).putInt(data.length).putInt(0)
                .putLong(0).putInt(0).putInt(0).array(), data));
    }

    Reply release(long fh, boolean dir) {
        return call(dir ? Fuse.RELEASEDIR : Fuse.RELEASE, 0, le(24).putLong(fh).array());
    }

    Reply mkdir(long parent, String name, int mode) {
        return call(Fuse.MKDIR, parent, cat(le(8).putInt(mode).putInt(022).array(), name(name)));
    }

    Reply getattr(long nodeid) {
        return call(Fuse.GETATTR, nodeid, le(16).array());
    }

    Reply setattr(long nodeid, int valid, long fh, long size, long atime, long mtime, int mode) {
        return call(Fuse.SETATTR, nodeid, le(88).putInt(valid).putInt(0).putLong(fh).putLong(size).putLong(0)
                .putLong(atime).putLong(mtime).putLong(0).putInt(0).putInt(0).putInt(0).putInt(mode).array());
    }

    Reply forget(long nodeid, long n) {
        return call(Fuse.FORGET, nodeid, le(8).putLong(n).array(), 0);
    }

    public static byte[] lk(long fh, long owner, long start, long end, int type, int pid) {
        return le(48).putLong(fh).putLong(owner).putLong(start).putLong(end).putInt(type).putInt(pid).putInt(0).array();
    }

    @Override
    public void close() {
        session.close();
        arena.close();
    }
}
