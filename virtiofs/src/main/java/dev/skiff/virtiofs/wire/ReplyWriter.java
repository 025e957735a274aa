package dev.skiff.virtiofs.wire;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.StatFs;
import dev.skiff.sys.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes a {@link FuseReply} after its fuse_out_header into the request's writable buffer. A
 * reply that does not fit is never truncated or overflowed: it becomes -ERANGE (the result is too
 * large for the buffer the guest gave), and a buffer too small even for the header gets nothing.
 */
public final class ReplyWriter {
    private ReplyWriter() {}

    /** Writes the reply to request {@code unique}; returns the byte count to complete it with. */
    public static int write(GuestBuffer out, long unique, FuseReply reply) {
        return switch (reply) {
            case FuseReply.None n -> 0;
            case FuseReply.Error e -> header(out, unique, -e.errno(), 0);
            case FuseReply.InPlace p -> header(out, unique, 0, p.length());
            case FuseReply.Data d -> body(out, unique, d.data(), d.length());
            default -> {
                byte[] body = encode(reply);
                yield body(out, unique, body, body.length);
            }
        };
    }

    private static int body(GuestBuffer out, long unique, byte[] body, int length) {
        if (Fuse.OUT_HEADER_SIZE + (long) length > out.capacity()) {
            return header(out, unique, -Errno.ERANGE, 0);
        }
        out.put(Fuse.OUT_HEADER_SIZE, body, length);
        return header(out, unique, 0, length);
    }

    /** Writes struct fuse_out_header for a body of {@code bodyLength} bytes already in place. */
    private static int header(GuestBuffer out, long unique, int error, int bodyLength) {
        if (out.capacity() < Fuse.OUT_HEADER_SIZE) {
            return 0;
        }
        int len = Fuse.OUT_HEADER_SIZE + bodyLength;
        ByteBuffer h = le(Fuse.OUT_HEADER_SIZE).putInt(len).putInt(error).putLong(unique);
        out.put(0, h.array(), Fuse.OUT_HEADER_SIZE);
        return len;
    }

    /** The body of a fixed-size reply. */
    static byte[] encode(FuseReply reply) {
        return switch (reply) {
            case FuseReply.InitOut i -> le(Fuse.INIT_OUT_SIZE).putInt(i.major()).putInt(i.minor())
                    .putInt(i.maxReadahead()).putInt(i.flags()).putShort((short) i.maxBackground())
                    .putShort((short) i.congestionThreshold()).putInt(i.maxWrite()).putInt(i.timeGran())
                    .putShort((short) i.maxPages()).array(); // map_alignment, flags2, unused: 0
            case FuseReply.EntryOut e -> entry(le(Fuse.ENTRY_OUT_SIZE), e).array();
            case FuseReply.AttrOut a -> attr(le(Fuse.ATTR_OUT_SIZE).putLong(seconds(a.attrValidNanos()))
                    .putInt(nanos(a.attrValidNanos())).putInt(0), a.attr()).array();
            case FuseReply.OpenOut o -> open(le(Fuse.OPEN_OUT_SIZE), o).array();
            case FuseReply.CreateOut c -> open(entry(le(Fuse.ENTRY_OUT_SIZE + Fuse.OPEN_OUT_SIZE), c.entry()), c.open()).array();
            case FuseReply.WriteOut w -> le(8).putInt(w.size()).array();
            case FuseReply.XattrSize x -> le(8).putInt(x.size()).array();
            case FuseReply.StatfsOut s -> statfs(le(Fuse.STATFS_OUT_SIZE), s.st()).array();
            case FuseReply.LkOut l -> le(Fuse.LK_OUT_SIZE).putLong(l.lock().start()).putLong(l.lock().end())
                    .putInt(l.lock().type()).putInt(l.lock().pid()).array();
            case FuseReply.None n -> new byte[0];
            case FuseReply.Empty n -> new byte[0];
            case FuseReply.Error e -> new byte[0];
            case FuseReply.Data d -> java.util.Arrays.copyOf(d.data(), d.length());
            case FuseReply.InPlace p -> new byte[0];
        };
    }

    private static ByteBuffer entry(ByteBuffer b, FuseReply.EntryOut e) {
        b.putLong(e.nodeid()).putLong(e.generation())
                .putLong(seconds(e.entryValidNanos())).putLong(seconds(e.attrValidNanos()))
                .putInt(nanos(e.entryValidNanos())).putInt(nanos(e.attrValidNanos()));
        return attr(b, e.attr());
    }

    private static ByteBuffer open(ByteBuffer b, FuseReply.OpenOut o) {
        return b.putLong(o.fh()).putInt(o.openFlags()).putInt(0);
    }

    /**
     * struct fuse_attr: ino, size, blocks, atime, mtime, ctime, their nsec, mode, nlink, uid,
     * gid, rdev, blksize, flags. rdev is new_encode_dev's 32 bits, which the low half of glibc's
     * makedev is for majors below 4096.
     */
    private static ByteBuffer attr(ByteBuffer b, Attr a) {
        return b.putLong(a.ino()).putLong(a.size()).putLong(a.blocks())
                .putLong(a.atimeSec()).putLong(a.mtimeSec()).putLong(a.ctimeSec())
                .putInt((int) a.atimeNsec()).putInt((int) a.mtimeNsec()).putInt((int) a.ctimeNsec())
                .putInt(a.mode()).putInt((int) Math.min(a.nlink(), 0xffffffffL)).putInt(a.uid()).putInt(a.gid())
                .putInt((int) a.rdev()).putInt((int) a.blksize()).putInt(0);
    }

    /** struct fuse_kstatfs: blocks, bfree, bavail, files, ffree, bsize, namelen, frsize, padding, spare[6]. */
    private static ByteBuffer statfs(ByteBuffer b, StatFs s) {
        return b.putLong(s.blocks()).putLong(s.bfree()).putLong(s.bavail()).putLong(s.files())
                .putLong(s.ffree()).putInt((int) s.bsize()).putInt((int) s.namelen()).putInt((int) s.bsize());
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long seconds(long nanos) {
        return nanos / 1_000_000_000L;
    }

    private static int nanos(long nanos) {
        return (int) (nanos % 1_000_000_000L);
    }
}
