package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.skiff.erofs.LayerConverter;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer disks from the pure-Java EROFS writer, mounted by the guest kernel: a tree walk inside the
 * guest matches the source tar exactly, and two layers under overlayfs show a whiteout and an
 * opaque directory at work.
 */
class ErofsLayerIT {
    @TempDir
    Path tmp;

    /** What a tar entry should look like in the guest, in the walk's own line format. */
    private record Expect(String path, String type, int mode, int uid, int gid, byte[] data, String link, int nlink) {
        String line() {
            String size = type.equals("directory") ? "-" : Integer.toString(data.length);
            return "." + path + "|" + type + "|" + Integer.toOctalString(mode) + "|" + uid + "|" + gid + "|" + size
                    + "|" + nlink + "|" + (type.equals("regular file") ? sha256(data) : link);
        }
    }

    private static final byte[] BIG = new byte[1 << 20];

    static {
        new Random(7).nextBytes(BIG);
    }

    private final List<Expect> lower = new ArrayList<>();

    private byte[] lowerTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            dir(tar, "/etc", 0755, 0, 0, 2);
            file(tar, "/etc/hosts", 0644, 0, 0, "127.0.0.1 localhost\n".getBytes(), 1);
            TarArchiveEntry x = entry("/etc/xattr", TarConstants.LF_NORMAL, 0600, 0, 0);
            x.addPaxHeader("SCHILY.xattr.user.skiff", "layer value");
            put(tar, x, "x".getBytes());
            lower.add(new Expect("/etc/xattr", "regular file", 0600, 0, 0, "x".getBytes(), "", 1));
            dir(tar, "/bin", 0755, 0, 0, 2);
            file(tar, "/bin/tool", 04755, 1000, 1000, BIG, 2);
            TarArchiveEntry hard = entry("/bin/hard", TarConstants.LF_LINK, 04755, 1000, 1000);
            hard.setLinkName("bin/tool");
            put(tar, hard, null);
            lower.add(new Expect("/bin/hard", "regular file", 04755, 1000, 1000, BIG, "", 2));
            TarArchiveEntry sym = entry("/bin/link", TarConstants.LF_SYMLINK, 0777, 0, 0);
            sym.setLinkName("tool");
            put(tar, sym, null);
            lower.add(new Expect("/bin/link", "symbolic link", 0777, 0, 0, "tool".getBytes(), "tool", 1));
            dir(tar, "/dev", 0755, 0, 0, 2);
            TarArchiveEntry chr = entry("/dev/null2", TarConstants.LF_CHR, 0666, 0, 0);
            chr.setDevMajor(1);
            chr.setDevMinor(3);
            put(tar, chr, null);
            lower.add(new Expect("/dev/null2", "character special file", 0666, 0, 0, new byte[0], "1,3", 1));
            TarArchiveEntry fifo = entry("/dev/fifo", TarConstants.LF_FIFO, 0640, 5, 6);
            put(tar, fifo, null);
            lower.add(new Expect("/dev/fifo", "fifo", 0640, 5, 6, new byte[0], "", 1));
            dir(tar, "/opq", 0700, 7, 8, 3);
            file(tar, "/opq/a", 0644, 0, 0, "a".getBytes(), 1);
            dir(tar, "/opq/deep", 0755, 0, 0, 2);
            String longName = "/opq/deep/" + "n".repeat(200);
            file(tar, longName, 0644, 0, 0, "long".getBytes(), 1);
            file(tar, "/gone", 0644, 0, 0, "to be whited out".getBytes(), 1);
        }
        return bytes.toByteArray();
    }

    private static byte[] upperTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            put(tar, entry("/.wh.gone", TarConstants.LF_NORMAL, 0644, 0, 0), new byte[0]);
            put(tar, entry("/opq/", TarConstants.LF_DIR, 0700, 7, 8), null);
            put(tar, entry("/opq/.wh..wh..opq", TarConstants.LF_NORMAL, 0644, 0, 0), new byte[0]);
            put(tar, entry("/opq/c", TarConstants.LF_NORMAL, 0644, 0, 0), "c".getBytes());
            put(tar, entry("/etc/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(tar, entry("/etc/hosts", TarConstants.LF_NORMAL, 0644, 0, 0), "changed\n".getBytes());
        }
        return bytes.toByteArray();
    }

    @Test
    void guestKernelMountsLayersExactlyAndStacksThemUnderOverlayfs() throws IOException {
        Path l1 = tmp.resolve("l1.erofs"), l2 = tmp.resolve("l2.erofs");
        LayerConverter.convert(new ByteArrayInputStream(lowerTar()), l1);
        LayerConverter.convert(new ByteArrayInputStream(upperTar()), l2);
        GuestImage image = Images.selftestImage(System.out);
        try (GuestSession g = GuestSession.start(GuestSession.config("it-erofs", image, List.of()))) {
            g.call("PING");
            g.vm().hotplugDisk(new DiskSpec(l1, "layer1", true));
            g.vm().hotplugDisk(new DiskSpec(l2, "layer2", true));
            g.call("MOUNT", "layer1", "erofs", "/mnt/l1");
            g.call("MOUNT", "layer2", "erofs", "/mnt/l2");

            String walk = sh(g, "cd /mnt/l1 && find . ! -name . | sort | while read f; do"
                    + " t=$(stat -c %F \"$f\"); s=$(stat -c %s \"$f\"); [ \"$t\" = directory ] && s=-;"
                    + " x=; [ \"$t\" = 'regular file' ] && x=$(sha256sum \"$f\" | cut -d' ' -f1);"
                    + " [ \"$t\" = 'symbolic link' ] && x=$(readlink \"$f\");"
                    + " [ \"$t\" = 'character special file' ] && x=$(stat -c %t,%T \"$f\");"
                    + " echo \"$f|$t|$(stat -c '%a|%u|%g' \"$f\")|$s|$(stat -c %h \"$f\")|$x\"; done");
            TreeMap<String, String> want = new TreeMap<>();
            lower.forEach(e -> want.put("." + e.path(), e.line()));
            assertEquals(String.join("\n", want.values()), walk.strip(), "tree walk in the guest vs the source tar");
            assertEquals(Base64.getEncoder().encodeToString("layer value".getBytes()),
                    g.call("FS", "XATTR_GET", "/mnt/l1/etc/xattr", "user.skiff"));

            sh(g, "mkdir -p /mnt/ov && mount -t overlay overlay -o lowerdir=/mnt/l2:/mnt/l1 /mnt/ov");
            assertEquals("a deep", sh(g, "ls /mnt/l1/opq | tr '\\n' ' '").strip(), "the lower layer's directory");
            assertEquals("c", sh(g, "ls /mnt/ov/opq").strip(), "the opaque directory hides the lower layer's entries");
            assertNotEquals("0", run(g, "test -e /mnt/ov/gone")[0], "the whiteout hides /gone");
            assertEquals("0", run(g, "test -e /mnt/l1/gone")[0], "/gone is still in the lower layer itself");
            assertEquals("changed", sh(g, "cat /mnt/ov/etc/hosts").strip(), "the upper layer's file wins");
            assertEquals(sha256(BIG), sh(g, "sha256sum /mnt/ov/bin/tool | cut -d' ' -f1").strip());
        }
    }

    private static String[] run(GuestSession g, String script) throws IOException {
        String[] r = g.call(SelftestProtocol.RUN, SelftestProtocol.encodeArgv("/bin/busybox", "sh", "-c", script)).split(" ", 2);
        return new String[] {r[0], r.length > 1 ? new String(Base64.getDecoder().decode(r[1]), StandardCharsets.UTF_8) : ""};
    }

    private static String sh(GuestSession g, String script) throws IOException {
        String[] r = run(g, script);
        assertEquals("0", r[0], script + "\n" + r[1]);
        return r[1];
    }

    private void dir(TarArchiveOutputStream tar, String path, int mode, int uid, int gid, int nlink) throws IOException {
        put(tar, entry(path + "/", TarConstants.LF_DIR, mode, uid, gid), null);
        lower.add(new Expect(path, "directory", mode, uid, gid, new byte[0], "", nlink));
    }

    private void file(TarArchiveOutputStream tar, String path, int mode, int uid, int gid, byte[] data, int nlink)
            throws IOException {
        put(tar, entry(path, TarConstants.LF_NORMAL, mode, uid, gid), data);
        lower.add(new Expect(path, "regular file", mode, uid, gid, data, "", nlink));
    }

    private static TarArchiveEntry entry(String path, byte type, int mode, int uid, int gid) {
        TarArchiveEntry e = new TarArchiveEntry(path.substring(1), type);
        e.setMode(mode);
        e.setIds(uid, gid);
        e.setModTime(1_700_000_000_000L);
        return e;
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] data) throws IOException {
        if (data != null) {
            e.setSize(data.length);
        }
        tar.putArchiveEntry(e);
        if (data != null) {
            tar.write(data);
        }
        tar.closeArchiveEntry();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
