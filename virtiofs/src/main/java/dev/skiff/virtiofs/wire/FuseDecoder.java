package dev.skiff.virtiofs.wire;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes request bodies from a heap copy ({@link RequestCopy}); never from guest memory. A body
 * shorter than its opcode's struct, a name without its NUL, or a count that runs past the end
 * is EINVAL, reported on the request; the session goes on.
 */
public final class FuseDecoder {
    private FuseDecoder() {}

    /** Decodes struct fuse_in_header from the first 40 bytes of {@code b}. */
    static InHeader header(byte[] b) {
        ByteBuffer h = ByteBuffer.wrap(b, 0, Fuse.IN_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new InHeader(h.getInt(), h.getInt(), h.getLong(), h.getLong(), h.getInt(), h.getInt(), h.getInt());
    }

    /** The body of the request {@code copy} (header included), whose header is {@code h}; no WRITE. */
    public static FuseRequest body(InHeader h, byte[] copy) throws ErrnoException {
        return body(h, copy, List.of());
    }

    /**
     * The body of the request {@code copy} (header included), whose header is {@code h};
     * {@code readable}, the request in guest memory, gives a WRITE its data (see
     * {@link RequestCopy#copy}).
     */
    public static FuseRequest body(InHeader h, byte[] copy, List<MemorySegment> readable) throws ErrnoException {
        Body b = new Body(h.opcode(), copy);
        return switch (h.opcode()) {
            // flags2 and the unused words of 7.36+ follow; nothing we offer lives there
            case Fuse.INIT -> new FuseRequest.Init(b.u32(), b.u32(), b.u32(), b.u32());
            case Fuse.LOOKUP -> new FuseRequest.Lookup(b.name());
            case Fuse.FORGET -> new FuseRequest.Forget(b.u64());
            case Fuse.BATCH_FORGET -> batchForget(b);
            case Fuse.GETATTR -> new FuseRequest.Getattr(b.u32(b.u32()), b.u64());
            case Fuse.SETATTR -> setattr(b);
            case Fuse.READLINK -> new FuseRequest.Readlink();
            case Fuse.SYMLINK -> new FuseRequest.Symlink(b.name(), b.name());
            case Fuse.MKNOD -> new FuseRequest.Mknod(b.u32(), b.u32(), b.u32(b.u32()), b.name());
            case Fuse.MKDIR -> new FuseRequest.Mkdir(b.u32(), b.u32(), b.name());
            case Fuse.UNLINK -> new FuseRequest.Unlink(b.name(), false);
            case Fuse.RMDIR -> new FuseRequest.Unlink(b.name(), true);
            case Fuse.RENAME -> new FuseRequest.Rename(b.u64(), 0, b.name(), b.name());
            case Fuse.RENAME2 -> new FuseRequest.Rename(b.u64(), b.u32(b.u32()), b.name(), b.name());
            case Fuse.LINK -> new FuseRequest.Link(b.u64(), b.name());
            case Fuse.OPEN, Fuse.OPENDIR -> {
                int flags = b.u32();
                yield new FuseRequest.Open(flags, h.opcode() == Fuse.OPENDIR, (b.u32() & Fuse.OPEN_KILL_SUIDGID) != 0);
            }
            case Fuse.READ -> read(b, false);
            case Fuse.READDIR -> read(b, true);
            case Fuse.WRITE -> write(h, b, readable);
            case Fuse.STATFS -> new FuseRequest.Statfs();
            case Fuse.RELEASE, Fuse.RELEASEDIR -> new FuseRequest.Release(b.u64(), h.opcode() == Fuse.RELEASEDIR);
            case Fuse.FSYNC, Fuse.FSYNCDIR -> new FuseRequest.Fsync(b.u64(),
                    (b.u32(b.u32()) & Fuse.FSYNC_FDATASYNC) != 0);
            case Fuse.SETXATTR -> setxattr(b);
            case Fuse.GETXATTR -> {
                int size = b.u32(b.u32());
                yield new FuseRequest.Getxattr(b.name(), size);
            }
            case Fuse.LISTXATTR -> new FuseRequest.Listxattr(b.u32(b.u32()));
            case Fuse.REMOVEXATTR -> new FuseRequest.Removexattr(b.name());
            case Fuse.FLUSH -> {
                long fh = b.u64();
                b.u64(); // unused, padding
                yield new FuseRequest.Flush(fh, b.u64());
            }
            case Fuse.GETLK -> new FuseRequest.Getlk(b.u64(), b.u64(), lock(b), b.u32());
            case Fuse.SETLK, Fuse.SETLKW -> new FuseRequest.Setlk(b.u64(), b.u64(), lock(b), b.u32(),
                    h.opcode() == Fuse.SETLKW);
            case Fuse.ACCESS -> new FuseRequest.Access(b.u32());
            case Fuse.CREATE -> {
                int flags = b.u32(), mode = b.u32(), umask = b.u32();
                b.u32(); // open_flags: FUSE_OPEN_KILL_SUIDGID means nothing for a file CREATE makes
                yield new FuseRequest.Create(flags, mode, umask, b.name());
            }
            case Fuse.INTERRUPT -> new FuseRequest.Interrupt(b.u64());
            case Fuse.DESTROY -> new FuseRequest.Destroy();
            default -> new FuseRequest.Unsupported(h.opcode());
        };
    }

    private static FuseRequest batchForget(Body b) throws ErrnoException {
        int count = b.u32(b.u32());
        if (Integer.toUnsignedLong(count) * 16 > b.remaining()) {
            throw b.invalid("count " + Integer.toUnsignedString(count));
        }
        List<FuseRequest.ForgetOne> l = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            l.add(new FuseRequest.ForgetOne(b.u64(), b.u64()));
        }
        return new FuseRequest.BatchForget(l);
    }

    /** fuse_setattr_in: valid, padding, fh, size, lock_owner, atime, mtime, ctime, their nsec, mode, unused, uid, gid, unused. */
    private static FuseRequest setattr(Body b) throws ErrnoException {
        int valid = b.u32(b.u32());
        long fh = b.u64(), size = b.u64();
        b.u64(); // lock_owner
        long atime = b.u64(), mtime = b.u64();
        b.u64(); // ctime: the host sets it
        int atimensec = b.u32(), mtimensec = b.u32();
        b.u32(); // ctimensec
        int mode = b.u32();
        b.u32();
        int uid = b.u32(), gid = b.u32();
        b.u32();
        return new FuseRequest.Setattr(valid, fh, size, atime, mtime, atimensec, mtimensec, mode, uid, gid);
    }

    /** fuse_read_in: fh, offset, size, read_flags, lock_owner, flags, padding. */
    private static FuseRequest read(Body b, boolean dir) throws ErrnoException {
        long fh = b.u64(), offset = b.u64();
        int size = b.u32();
        b.u32();
        b.u64();
        b.u64();
        return dir ? new FuseRequest.Readdir(fh, offset, size) : new FuseRequest.Read(fh, offset, size);
    }

    /**
     * fuse_write_in (fh, offset, size, write_flags, lock_owner, flags, padding), then exactly size
     * bytes: the request's len (checked against the readable bytes) must be the struct plus size.
     * The data stays in guest memory.
     */
    private static FuseRequest write(InHeader h, Body b, List<MemorySegment> readable) throws ErrnoException {
        long fh = b.u64(), offset = b.u64();
        int size = b.u32();
        int writeFlags = b.u32();
        b.u64();
        b.u64();
        long data = Integer.toUnsignedLong(h.len()) - Fuse.IN_HEADER_SIZE - Fuse.WRITE_IN_SIZE;
        if (Integer.toUnsignedLong(size) != data) {
            throw b.invalid("write of " + Integer.toUnsignedString(size) + " bytes with " + data + " bytes of data");
        }
        if (size != 0 && readable.isEmpty()) {
            throw b.invalid("write of " + size + " bytes without its request's memory");
        }
        return new FuseRequest.Write(fh, offset, size == 0 ? List.of()
                : RequestCopy.payload(readable, Fuse.IN_HEADER_SIZE + Fuse.WRITE_IN_SIZE, size),
                (writeFlags & Fuse.WRITE_KILL_SUIDGID) != 0);
    }

    /** fuse_setxattr_in (size, flags; 8 bytes since SETXATTR_EXT is not offered), name, value. */
    private static FuseRequest setxattr(Body b) throws ErrnoException {
        int size = b.u32(), flags = b.u32();
        String name = b.name();
        if (Integer.toUnsignedLong(size) != b.remaining()) {
            throw b.invalid("xattr value of " + Integer.toUnsignedString(size) + " bytes with " + b.remaining() + " bytes");
        }
        return new FuseRequest.Setxattr(name, b.bytes(size), flags);
    }

    /** struct fuse_file_lock: start, end, type, pid. */
    private static FileLock lock(Body b) throws ErrnoException {
        return new FileLock(b.u64(), b.u64(), b.u32(), b.u32());
    }

    /** A cursor over the body of one request copy. */
    private static final class Body {
        private final int opcode;
        private final ByteBuffer buf;

        Body(int opcode, byte[] copy) {
            this.opcode = opcode;
            this.buf = ByteBuffer.wrap(copy, Fuse.IN_HEADER_SIZE, copy.length - Fuse.IN_HEADER_SIZE)
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        int remaining() {
            return buf.remaining();
        }

        private void need(int n) throws ErrnoException {
            if (buf.remaining() < n) {
                throw invalid("body of " + buf.limit() + " bytes, too short");
            }
        }

        int u32() throws ErrnoException {
            need(4);
            return buf.getInt();
        }

        /** Skips a u32 already read (a padding word), and returns {@code value}: for "field, padding" pairs. */
        int u32(int value) throws ErrnoException {
            u32();
            return value;
        }

        long u64() throws ErrnoException {
            need(8);
            return buf.getLong();
        }

        byte[] bytes(int n) throws ErrnoException {
            need(n);
            byte[] out = new byte[n];
            buf.get(out);
            return out;
        }

        /** A NUL-terminated name inside the body; the NUL must be there. */
        String name() throws ErrnoException {
            int start = buf.position();
            for (int i = start; i < buf.limit(); i++) {
                if (buf.get(i) == 0) {
                    String s = new String(buf.array(), buf.arrayOffset() + start, i - start, StandardCharsets.UTF_8);
                    buf.position(i + 1);
                    return s;
                }
            }
            throw invalid("name without NUL");
        }

        ErrnoException invalid(String what) {
            return new ErrnoException("decode", Fuse.name(opcode) + ": " + what, Errno.EINVAL);
        }
    }
}
