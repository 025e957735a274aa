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

    /** WRITE: the data from the request's copy, all of it unless the host writes short. */
    static FuseReply write(FuseSession s, FuseRequest.Write m) throws IOException {
        checkOffset(m.offset());
        byte[] data = m.data();
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            int done = f.file.write(m.offset(), data);
            while (done > 0 && done < data.length) {
                int n = f.file.write(m.offset() + done, Arrays.copyOfRange(data, done, data.length));
                if (n <= 0) {
                    break;
                }
                done += n;
            }
            return new FuseReply.WriteOut(done);
        }
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
