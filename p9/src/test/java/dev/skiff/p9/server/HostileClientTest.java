package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.Codec;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage.Rclunk;
import dev.skiff.p9.wire.Tmessage.Tlock;
import dev.skiff.p9.wire.Tmessage.Twrite;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that tries to leave the export (.., symlinks, renames, races with the host) or
 * sends broken frames. Escapes must fail; a broken frame must end only its own connection,
 * with one log line.
 */
class HostileClientTest {
    @TempDir Path tmp;
    Harness h;
    Path outside;
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger("dev.skiff.p9.server");
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { logged.add(r); }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @BeforeEach
    void start() throws IOException {
        h = Harness.passthrough(tmp);
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "top secret");
        log.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        log.removeHandler(capture);
        h.close();
    }

    /** Waits (on the connection's own end-of-stream event) until the server has closed it. */
    static void assertClosedByServer(P9Client c) {
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                c.getattr(ROOT);
            }
        });
        assertFalse(e instanceof dev.skiff.p9.client.RlerrorException, e.toString());
    }

    void assertLogged(String text) {
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.WARNING && r.getMessage().contains(text)),
                "log line containing '" + text + "' in " + logged.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void oversizedFrameEndsOnlyThatConnection() throws IOException {
        P9Client bad = h.attach();
        P9Client good = h.attach();
        bad.sendRaw(new byte[] {0, 0, 0x20, 0, (byte) P9.TREAD, 1, 0});
        assertClosedByServer(bad);
        assertLogged("closing 9P connection");
        assertTrue(good.getattr(ROOT).qid().isDir());
    }

    @Test
    void frameLargerThanTheNegotiatedMsizeEndsTheConnection() throws IOException {
        P9Client bad = h.connect();
        bad.version(8192);
        bad.attach(ROOT, P9.NOFID, "u", "", 0);
        bad.sendRaw(Codec.encode(5, new Twrite(ROOT, 0, new byte[9000])));
        assertClosedByServer(bad);
        assertLogged("outside 7..8192");
    }

    @Test
    void undersizedAndMalformedFramesEndTheConnection() throws IOException {
        P9Client a = h.attach();
        a.sendRaw(new byte[] {3, 0, 0, 0});
        assertClosedByServer(a);
        P9Client b = h.attach();
        byte[] f = Codec.encode(9, new dev.skiff.p9.wire.Tmessage.Tmkdir(ROOT, "abc", 0755, 0));
        f[11] = 100; // name length beyond the frame
        b.sendRaw(f);
        assertClosedByServer(b);
        assertLogged("string needs 100 bytes");
        P9Client r = h.attach();
        r.sendRaw(Codec.encode(3, new Rclunk()));
        assertClosedByServer(r);
        assertTrue(h.attach().getattr(ROOT).qid().isDir(), "the server still serves new connections");
    }

    @Test
    void reusingATagInFlightEndsTheConnection() throws Exception {
        Files.writeString(h.export.resolve("f"), "x");
        P9Client a = h.attach();
        P9Client b = h.attach();
        a.walk(ROOT, 1, "f");
        a.lopen(1, P9.DOTL_RDWR);
        a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0);
        b.walk(ROOT, 1, "f");
        b.lopen(1, P9.DOTL_RDWR);
        byte[] blocked = Codec.encode(500, new Tlock(1, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, 0, 0, 1, "b"));
        b.sendRaw(blocked);
        b.sendRaw(blocked);
        assertClosedByServer(b);
        assertLogged("reused");
    }

    @Test
    void namesWithSlashesOrDotDotCannotLeave() throws IOException {
        P9Client c = h.attach();
        Qid root = c.getattr(ROOT).qid();
        assertEquals(Errno.ENOENT, FidOpsTest.errno(() -> c.walk(ROOT, 1, "../outside")));
        assertEquals(Errno.ENOENT, FidOpsTest.errno(() -> c.walk(ROOT, 1, "/etc")));
        assertEquals(root, c.walk(ROOT, 1, "..", "..", "..").get(2));
        assertEquals(1, c.walk(ROOT, 2, "..", "outside", "secret").size(), "outside is not beside the root");
        assertEquals(Errno.ENOENT, errno(() -> c.mkdir(ROOT, "../made", 0755, 0)));
        assertEquals(Errno.ENOENT, errno(() -> c.renameat(ROOT, "x", ROOT, "../../moved")));
        assertEquals(Errno.ENOENT, errno(() -> c.symlink(ROOT, "a/b", "x", 0)));
        assertFalse(Files.exists(tmp.resolve("made")));
    }

    @Test
    void symlinksAreNeverFollowed() throws IOException {
        Files.createSymbolicLink(h.export.resolve("abs"), outside);
        Files.createSymbolicLink(h.export.resolve("rel"), Path.of("../outside"));
        Files.createSymbolicLink(h.export.resolve("file"), outside.resolve("secret"));
        P9Client c = h.attach();
        List<Qid> q = c.walk(ROOT, 1, "abs", "secret");
        assertEquals(1, q.size(), "the walk stops at the symlink");
        assertEquals(P9.QTSYMLINK, q.get(0).type());
        assertEquals(1, c.walk(ROOT, 2, "rel", "secret").size());
        c.walk(ROOT, 3, "file");
        assertEquals(Errno.ELOOP, errno(() -> c.lopen(3, P9.DOTL_RDONLY)));
        c.walk(ROOT, 4, "abs");
        assertEquals(Errno.ENOTDIR, errno(() -> c.walk(4, 5, "secret")));
        assertEquals(Errno.ENOTDIR, errno(() -> c.lcreate(4, "planted", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> c.mkdir(4, "planted", 0755, 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> c.unlinkat(4, "secret", 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> c.renameat(4, "secret", ROOT, "stolen")));
        c.walk(ROOT, 6);
        assertEquals(Errno.ELOOP, errno(() -> c.lcreate(6, "file", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0)),
                "creating over a symlink does not follow it");
        assertEquals("top secret", Files.readString(outside.resolve("secret")));
        assertEquals(List.of("secret"), Files.list(outside).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void operationsOnASymlinkFidActOnTheLinkNotItsTarget() throws Exception {
        Path target = outside.resolve("secret");
        Files.createSymbolicLink(h.export.resolve("ln"), target);
        P9Client c = h.attach();
        c.walk(ROOT, 1, "ln");
        c.walk(1, 2);
        c.xattrcreate(2, "user.planted", 1, 0);
        c.write(2, 0, new byte[] {1});
        assertEquals(Errno.EPERM, errno(() -> c.clunk(2)), "user xattrs are not allowed on symlinks");
        c.walk(ROOT, 3, "ln");
        assertEquals(Errno.ENODATA, errno(() -> c.xattrwalk(3, 4, "user.planted")));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> c.setattr(
                new dev.skiff.p9.wire.Tmessage.Tsetattr(3, P9.SETATTR_MODE, 0777, 0, 0, 0, 0, 0, 0, 0))));
        assertEquals(Errno.EINVAL, errno(() -> c.setattr(
                new dev.skiff.p9.wire.Tmessage.Tsetattr(3, P9.SETATTR_SIZE, 0, 0, 0, 0, 0, 0, 0, 0))));
        c.setattr(new dev.skiff.p9.wire.Tmessage.Tsetattr(3, P9.SETATTR_MTIME | P9.SETATTR_MTIME_SET,
                0, 0, 0, 0, 0, 0, 12345, 0));
        c.link(ROOT, 3, "hard");
        assertTrue(Files.isSymbolicLink(h.export.resolve("hard")), "the link is to the symlink itself");
        assertEquals("top secret", Files.readString(target));
        assertNotEquals(12345L, Files.getLastModifiedTime(target).toMillis() / 1000, "target's times untouched");
        assertTrue(Files.getFileAttributeView(target, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .list().isEmpty());
    }

    @Test
    void deviceNodesMadeByTheClientAreNeverOpenedOnTheHost() throws IOException {
        dev.skiff.p9.sys.RootOnly.require("mknod of device nodes (CAP_MKNOD)");
        P9Client c = h.attach();
        c.mknod(ROOT, "mem", 020600, 1, 1, 0);
        c.walk(ROOT, 1, "mem");
        assertEquals(Errno.EPERM, errno(() -> c.lopen(1, P9.DOTL_RDONLY)));
        c.mknod(ROOT, "disk", 060600, 8, 0, 0);
        c.walk(ROOT, 2, "disk");
        assertEquals(Errno.EPERM, errno(() -> c.lopen(2, P9.DOTL_RDWR)));
    }

    @Test
    void aSymlinkSwappedInByTheHostIsNotFollowed() throws IOException {
        Files.createDirectory(h.export.resolve("d"));
        P9Client c = h.attach();
        c.walk(ROOT, 1, "d");
        Files.move(h.export.resolve("d"), h.export.resolve("d.old"));
        Files.createSymbolicLink(h.export.resolve("d"), outside);
        assertEquals(1, c.walk(ROOT, 2, "d", "secret").size());
        c.lcreate(1, "inside", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0);
        assertTrue(Files.exists(h.export.resolve("d.old/inside")), "the old fid still names the real directory");
        assertFalse(Files.exists(outside.resolve("inside")));
    }

    @Test
    void aDirectoryMovedOutByTheHostCannotBeClimbedOutOf() throws IOException {
        Files.createDirectories(h.export.resolve("d/e"));
        P9Client c = h.attach();
        c.walk(ROOT, 1, "d", "e");
        Files.move(h.export.resolve("d"), outside.resolve("d"));
        assertEquals(Errno.EACCES, errno(() -> c.walk(1, 2, "..")));
        assertEquals(Errno.EACCES, errno(() -> c.walk(1, 3, "..", "..", "secret")));
    }

    @Test
    void renamesByTheClientStayInside() throws IOException {
        Files.createDirectories(h.export.resolve("a/b"));
        P9Client c = h.attach();
        c.walk(ROOT, 1, "a", "b");
        c.renameat(ROOT, "a", ROOT, "z");
        Qid root = c.getattr(ROOT).qid();
        assertEquals(root, c.walk(1, 2, "..", "..").get(1), "after a rename, .. still leads to the root");
        assertEquals(root, c.walk(1, 3, "..", "..", "..").get(2), "and no further");
    }

    @Test
    void hostileConnectionsDoNotDisturbAWellBehavedOne() throws Exception {
        P9Client good = h.attach();
        Files.writeString(h.export.resolve("f"), "ok");
        good.walk(ROOT, 1, "f");
        good.lopen(1, P9.DOTL_RDONLY);
        for (int i = 0; i < 20; i++) {
            P9Client bad = h.attach();
            bad.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f});
            assertEquals("ok", new String(good.read(1, 0, 2)));
        }
    }
}
