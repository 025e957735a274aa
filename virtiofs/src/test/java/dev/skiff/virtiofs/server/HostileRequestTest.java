package dev.skiff.virtiofs.server;

import static dev.skiff.virtiofs.server.FuseClient.cat;
import static dev.skiff.virtiofs.server.FuseClient.le;
import static dev.skiff.virtiofs.server.FuseClient.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.sys.Errno;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.wire.Fuse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that breaks the protocol: every bad request gets a clear -errno (or, with no header to
 * answer, nothing), nothing reaches outside the export, no reply overflows its buffer (the client
 * checks canary bytes after every writable buffer), and the session keeps serving.
 */
class HostileRequestTest {
    @TempDir Path dir;
    @TempDir Path outside;
    Passthrough fs;
    FuseClient c;

    @BeforeEach
    void start() throws IOException {
        fs = new Passthrough(dir);
        c = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT,
                new FuseLimits(8192, 2, 1 << 10, 1 << 10, 4)));
        c.init().ok();
    }

    @AfterEach
    void stop() {
        c.close();
        fs.close();
    }

    private void stillServes() {
        assertEquals(0040000, FuseClient.attr(c.getattr(Fuse.ROOT_ID)).mode() & 0170000, "the session still serves");
    }

    private static byte[] withLen(byte[] request, int len) {
        ByteBuffer.wrap(request).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, len);
        return request;
    }

    @Test
    void badHeaderLengthsAreInvalid() {
        FuseClient.Reply small = c.raw(withLen(c.request(Fuse.GETATTR, 1, le(16).array()), 20), 4096);
        assertEquals(-Errno.EINVAL, small.error(), "len below the header's 40 bytes");
        assertNotEquals(0, small.unique(), "answered to the request's unique");
        assertEquals(-Errno.EINVAL, c.raw(withLen(c.request(Fuse.GETATTR, 1, le(16).array()), 4000), 4096).error(),
                "len beyond the readable bytes");
        byte[] huge = c.request(Fuse.WRITE, 0, new byte[8192 + 4096]);
        assertEquals(-Errno.EINVAL, c.raw(huge, 4096).error(), "len beyond max_write + 4 KiB");
        assertEquals(0, c.raw(new byte[39], 4096).written(), "no header: nothing to answer");
        stillServes();
    }

    @Test
    void shortBodiesAreInvalid() {
        assertEquals(-Errno.EINVAL, c.call(Fuse.OPEN, 1, new byte[4]).error());
        assertEquals(-Errno.EINVAL, c.call(Fuse.READ, 1, new byte[39]).error());
        assertEquals(-Errno.EINVAL, c.call(Fuse.SETATTR, 1, new byte[80]).error());
        assertEquals(-Errno.EINVAL, c.call(Fuse.BATCH_FORGET, 1, le(8).putInt(1000).array(), 4096).error(),
                "a count beyond the body");
        assertEquals(-Errno.EINVAL, c.call(Fuse.WRITE, 0, cat(le(40).putLong(1).putLong(0).putInt(100).array(), new byte[10])).error(),
                "a write of more than it carries");
        stillServes();
    }

    @Test
    void badNamesAreRefusedAndCreateNothing() throws IOException {
        assertEquals(-Errno.EINVAL, c.call(Fuse.LOOKUP, 1, "no-nul".getBytes()).error());
        assertEquals(-Errno.ENOENT, c.lookup(1, "a/b").error());
        assertEquals(-Errno.ENOENT, c.lookup(1, "").error());
        assertEquals(-Errno.EEXIST, c.mkdir(1, ".", 0755).error());
        assertEquals(-Errno.EEXIST, c.mkdir(1, "..", 0755).error());
        assertEquals(-Errno.EEXIST, c.call(Fuse.SYMLINK, 1, cat(name(".."), name("x"))).error());
        assertEquals(-Errno.EISDIR, c.call(Fuse.RENAME, 1, cat(le(8).putLong(1).array(), name(".."), name("y"))).error());
        char[] longName = new char[256];
        Arrays.fill(longName, 'n');
        assertEquals(-Errno.ENAMETOOLONG, c.mkdir(1, new String(longName), 0755).error());
        assertEquals(-Errno.ENAMETOOLONG, c.lookup(1, new String(longName)).error());
        assertEquals(List.of(), list(dir));
        stillServes();
    }

    @Test
    void dotDotOfTheRootIsTheRoot() {
        FuseClient.Entry up = FuseClient.entry(c.lookup(Fuse.ROOT_ID, ".."));
        assertEquals(Fuse.ROOT_ID, up.nodeid(), "the root's parent is the root itself");
        assertEquals(FuseClient.attr(c.getattr(Fuse.ROOT_ID)).ino(), up.ino());
        long sub = FuseClient.entry(c.mkdir(Fuse.ROOT_ID, "sub", 0755)).nodeid();
        assertEquals(Fuse.ROOT_ID, FuseClient.entry(c.lookup(sub, "..")).nodeid());
    }

    @Test
    void symlinksOutOfTheExportAreNeverFollowed() throws IOException {
        Files.writeString(outside.resolve("secret"), "host secret");
        Files.createSymbolicLink(dir.resolve("file-out"), outside.resolve("secret"));
        Files.createSymbolicLink(dir.resolve("dir-out"), outside);
        FuseClient.Entry f = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "file-out"));
        assertEquals(0120000, f.mode() & 0170000, "the link itself, not its target");
        assertEquals(-Errno.ELOOP, c.call(Fuse.OPEN, f.nodeid(), le(8).putInt(OpenFlags.O_RDONLY).array()).error());
        assertEquals(-Errno.ELOOP, c.call(Fuse.OPEN, f.nodeid(), le(8).putInt(OpenFlags.O_RDWR | OpenFlags.O_TRUNC).array()).error());
        c.setattr(f.nodeid(), Fuse.FATTR_SIZE, 0, 0, 0, 0, 0);
        c.setattr(f.nodeid(), Fuse.FATTR_MODE, 0, 0, 0, 0, 0100777);
        c.call(Fuse.SETXATTR, f.nodeid(), cat(le(8).putInt(1).putInt(0).array(), name("user.x"), new byte[] {1}));

        long d = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "dir-out")).nodeid();
        assertEquals(-Errno.ENOTDIR, c.lookup(d, "secret").error());
        assertNotEquals(0, c.call(Fuse.OPENDIR, d, le(8).array()).error());
        assertNotEquals(0, c.call(Fuse.CREATE, d, cat(le(16).putInt(OpenFlags.O_CREAT | OpenFlags.O_WRONLY).putInt(0100644).array(), name("planted"))).error());
        assertNotEquals(0, c.mkdir(d, "planted", 0755).error());
        assertNotEquals(0, c.call(Fuse.UNLINK, d, name("secret")).error());

        assertEquals("host secret", Files.readString(outside.resolve("secret")));
        assertEquals(List.of(outside.resolve("secret")), list(outside));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(outside.resolve("secret"))));
        stillServes();
    }

    @Test
    void unknownNodesAndHandles() {
        assertEquals(-Errno.ESTALE, c.getattr(12345).error());
        assertEquals(-Errno.ESTALE, c.lookup(0, "x").error());
        assertEquals(-Errno.EBADF, c.read(777, 0, 10).error());
        assertEquals(-Errno.EBADF, c.write(777, 0, new byte[3]).error());
        assertEquals(-Errno.EBADF, c.release(777, false).error());
        assertEquals(0, c.forget(12345, 1).written(), "FORGET of an unknown node: no reply, no harm");
        stillServes();
    }

    @Test
    void repliesNeverOverflowTheWritableSpace() throws IOException {
        Files.write(dir.resolve("big"), new byte[4096]);
        long fh = c.open(FuseClient.entry(c.lookup(Fuse.ROOT_ID, "big")).nodeid(), OpenFlags.O_RDONLY);
        FuseClient.Reply r = c.call(Fuse.READ, 0, FuseClient.readIn(fh, 0, 4096), 16 + 100);
        assertEquals(100, r.ok().bytes().length, "READ clamped to the writable space");
        assertEquals(-Errno.ERANGE, c.call(Fuse.GETATTR, 1, le(16).array(), 40).error(), "an attr reply that does not fit");
        assertEquals(0, c.call(Fuse.GETATTR, 1, le(16).array(), 8).written(), "no room even for the header");
        FuseClient.Reply dirents = c.call(Fuse.READDIR, 0, FuseClient.readIn(c.opendir(1), 0, 4096), 16 + 30);
        assertTrue(dirents.ok().bytes().length <= 30);
        stillServes();
    }

    @Test
    void beforeInitOnlyInitIsServed() throws IOException {
        try (FuseClient fresh = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT))) {
            assertEquals(-Errno.EIO, fresh.getattr(Fuse.ROOT_ID).error());
            assertEquals(-Errno.EPROTO, fresh.call(Fuse.INIT, 0, le(16).putInt(7).putInt(20).array()).error(), "minor below 31");
            fresh.init().ok();
            assertEquals(-Errno.EIO, fresh.init().error(), "a second INIT");
            fresh.getattr(Fuse.ROOT_ID).ok();
        }
    }

    @Test
    void unknownAndUnsupportedOpcodesAreEnosys() {
        assertEquals(-Errno.ENOSYS, c.call(9999, 1, new byte[16]).error());
        assertEquals(-Errno.ENOSYS, c.call(Fuse.LSEEK, 1, new byte[24]).error());
        assertEquals(-Errno.ENOSYS, c.call(Fuse.FALLOCATE, 1, new byte[32]).error());
        assertEquals(-Errno.ENOSYS, c.call(Fuse.ACCESS, 1, new byte[8]).error());
        assertEquals(0, c.call(Fuse.INTERRUPT, 0, le(8).putLong(1).array()).written(), "INTERRUPT: no reply");
        stillServes();
    }

    private static List<Path> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.toList();
        }
    }
}
