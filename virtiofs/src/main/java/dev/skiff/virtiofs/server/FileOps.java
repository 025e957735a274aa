package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.LinuxOpenFlags;
import dev.skiff.p9.fs.Names;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.virtiofs.wire.Fuse;
import dev.skiff.virtiofs.wire.FuseReply;
import dev.skiff.virtiofs.wire.FuseRequest;
import dev.skiff.virtiofs.wire.GuestBuffer;
import dev.skiff.virtiofs.wire.InHeader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Handlers for open files: OPEN(DIR), CREATE, READ, WRITE, READDIR, FSYNC(DIR), RELEASE(DIR).
 * Open flags arrive as the guest's Linux flags and are carried as the 9P path carries them
 * ({@link LinuxOpenFlags}: O_DIRECT, O_SYNC, O_NOATIME ...).
 * Open replies carry neither FOPEN_KEEP_CACHE (the host may change the file: coherence first) nor
 * FOPEN_DIRECT_IO (the page cache must stay usable, or shared mmap of the file fails).
 */
final class FileOps {
    private FileOps() {}

    static FuseReply open(FuseSession s, InHeader h, FuseRequest.Open m) throws IOException {
        int dotl = m.dir()
                ? P9.DOTL_RDONLY | P9.DOTL_DIRECTORY
                : LinuxOpenFlags.toDotl(m.flags()) & ~(P9.DOTL_CREATE | P9.DOTL_EXCL);
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            OpenFile file = s.fs.open(n.node(), dotl);
            if (m.killSuidgid() && (dotl & P9.DOTL_TRUNC) != 0) {
                try {
                    file.dropSetId();
                } catch (IOException | RuntimeException e) {
                    file.close();
                    throw e;
                }
            }
            return new FuseReply.OpenOut(s.handles.add(file, m.dir()), 0);
        }
    }

    /** CREATE: the entry of the new file and a handle on it, opened with the guest's flags. */
    static FuseReply create(FuseSession s, InHeader h, FuseRequest.Create m) throws IOException {
        Names.checkCreate(m.name());
        int dotl = LinuxOpenFlags.toDotl(m.flags()) | P9.DOTL_CREATE;
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            FileSystem.Created c = s.fs.create(dir.node(), m.name(), dotl, EntryOps.masked(m.mode(), m.umask()),
                    h.uid(), h.gid());
            long fh;
            try {
                fh = s.handles.add(c.file(), false);
            } catch (ErrnoException e) {
                c.node().close();
                throw e;
            }
            try {
                return new FuseReply.CreateOut(s.entry(c.node()), new FuseReply.OpenOut(fh, 0));
            } catch (IOException | RuntimeException e) {
                s.handles.release(fh);
                throw e;
            }
        }
    }

    /**
     * READ straight into the guest's pages after the out header: no copy through the heap. The
     * size is clamped to max_write and to the writable space, so a reply never overflows it.
     */
    static FuseReply read(FuseSession s, FuseRequest.Read m, GuestBuffer out) throws IOException {
        checkOffset(m.offset());
        long room = Math.max(0, out.capacity() - Fuse.OUT_HEADER_SIZE);
        long want = Math.min(Math.min(Integer.toUnsignedLong(m.size()), s.limits.maxWrite()), room);
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            int done = 0;
            for (MemorySegment seg : out.slices(Fuse.OUT_HEADER_SIZE, want)) {
                int n = f.file.read(m.offset() + done, seg);
                done += n;
                if (n < seg.byteSize()) {
                    break; // end of file, or a fifo with no more for now
                }
            }
            return new FuseReply.InPlace(done);
        }
    }

    /**
     * WRITE straight from the guest's pages (one call per guest segment, usually a page or more):
     * all of it, unless the host writes short (then the count so far, as write(2) would say). A
     * host file opened O_DIRECT refuses a piece that is not block-aligned (EINVAL); the rest then
     * goes through the backend's aligned buffer in one piece, as the 9P path writes. With
     * HANDLE_KILLPRIV_V2 the kernel leaves dropping set-id bits to us (its writer lacks CAP_FSETID:
     * WRITE_KILL_SUIDGID); we write as root, which keeps them, so we drop them ourselves.
     */
    static FuseReply write(FuseSession s, FuseRequest.Write m) throws IOException {
        checkOffset(m.offset());
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            if (m.killSuidgid()) {
                f.file.dropSetId();
            }
            long done = 0;
            for (int i = 0; i < m.data().size(); i++) {
                MemorySegment seg = m.data().get(i);
                long at = 0;
                while (at < seg.byteSize()) {
                    int n;
                    try {
                        n = f.file.write(m.offset() + done, seg.asSlice(at));
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EINVAL) {
                            throw e;
                        }
                        return new FuseReply.WriteOut((int) (done + writeCopied(f.file, m.offset() + done,
                                rest(m.data(), i, at))));
                    }
                    if (n <= 0) {
                        return new FuseReply.WriteOut((int) done);
                    }
                    at += n;
                    done += n;
                }
            }
            return new FuseReply.WriteOut((int) done);
        }
    }

    /** The bytes of {@code data} from segment {@code i}'s byte {@code at} on, in one heap array. */
    private static byte[] rest(List<MemorySegment> data, int i, long at) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int k = i; k < data.size(); k++) {
            out.writeBytes(data.get(k).asSlice(k == i ? at : 0).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    private static long writeCopied(dev.skiff.p9.fs.OpenFile file, long offset, byte[] data) throws IOException {
        int done = file.write(offset, data);
        while (done > 0 && done < data.length) {
            int n = file.write(offset + done, Arrays.copyOfRange(data, done, data.length));
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return Math.max(done, 0);
    }

    /**
     * READDIR: struct fuse_dirent (ino, off, namelen, type, name padded to 8) packed up to the
     * size asked, the writable space and max_write. {@code off} is the backend's cookie of the
     * next entry, which the kernel hands back to resume.
     */
    static FuseReply readdir(FuseSession s, FuseRequest.Readdir m, GuestBuffer out) throws IOException {
        checkOffset(m.offset());
        long room = Math.max(0, out.capacity() - Fuse.OUT_HEADER_SIZE);
        int budget = (int) Math.min(Math.min(Integer.toUnsignedLong(m.size()), s.limits.maxWrite()), room);
        byte[] buf = new byte[budget];
        int[] pos = {0};
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            synchronized (f) { // OpenFile.readdir calls are serialised by the caller
                f.file.readdir(m.offset(), budget, (ino, dtype, next, name, off, len) -> {
                    int reclen = (Fuse.DIRENT_HEADER + len + 7) & ~7;
                    if (pos[0] + reclen > budget) {
                        return false;
                    }
                    java.nio.ByteBuffer.wrap(buf, pos[0], Fuse.DIRENT_HEADER).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putLong(ino).putLong(next).putInt(len).putInt(dtype);
                    System.arraycopy(name, off, buf, pos[0] + Fuse.DIRENT_HEADER, len);
                    pos[0] += reclen; // the padding is already zero
                    return true;
                });
            }
        }
        return new FuseReply.Data(buf, pos[0]);
    }

    static FuseReply fsync(FuseSession s, FuseRequest.Fsync m) throws IOException {
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            f.file.fsync(m.datasync());
            return FuseSession.EMPTY;
        }
    }

    static FuseReply release(FuseSession s, FuseRequest.Release m) throws ErrnoException {
        s.handles.release(m.fh());
        return FuseSession.EMPTY;
    }

    private static void checkOffset(long offset) throws ErrnoException {
        if (offset < 0) {
            throw new ErrnoException("io", "offset " + Long.toUnsignedString(offset), Errno.EINVAL);
        }
    }
}
