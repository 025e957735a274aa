package dev.skiff.image;

import dev.skiff.image.debian.Apt;
import dev.skiff.image.debian.DebArchive;
import dev.skiff.image.debian.DebianPackage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The root file system of the built-in {@code busybox} image, made from Debian's busybox-static
 * (one static binary, so the image needs no libraries): the binary, one symlink per applet, and
 * the few files a container expects (/etc/passwd, /etc/group, /tmp...). Written as a layer tar
 * with fixed times and owners, so the same package gives the same bytes.
 */
public final class BusyboxRootfs {
    private BusyboxRootfs() {}

    /** The applets of busybox-static 1.35 as `busybox --list-full` prints them (a resource, so no host needs to run it). */
    static final String APPLETS = "busybox/applets.txt";
    private static final Date EPOCH = new Date(0);

    /** Downloads (or finds in the cache) busybox-static and returns its unpacked binary. */
    public static Path busyboxBinary(Path cacheRoot, Consumer<String> progress) throws IOException {
        return busyboxBinary(cacheRoot, List.of(), progress);
    }

    /** As {@link #busyboxBinary(Path, Consumer)}, reusing the package from {@code shared} caches ({@link ImageCache#shared()}). */
    public static Path busyboxBinary(Path cacheRoot, List<Path> shared, Consumer<String> progress) throws IOException {
        Apt apt = new Apt(cacheRoot.resolve("debs"), shared.stream().map(c -> c.resolve("debs")).toList());
        String version = apt.candidateVersion("busybox-static");
        progress.accept("busybox-static " + version);
        DebianPackage pkg = apt.fetch("busybox-static", version);
        Path binary = DebArchive.unpack(pkg, cacheRoot.resolve("debs")).resolve("bin/busybox");
        if (!Files.isRegularFile(binary)) {
            throw new IOException(pkg + " holds no bin/busybox");
        }
        return binary;
    }

    /** Writes the rootfs as an uncompressed tar. */
    public static void writeTar(Path busybox, OutputStream out) throws IOException {
        List<String> applets = applets();
        TreeSet<String> dirs = new TreeSet<>(List.of("bin", "dev", "etc", "home", "proc", "root", "sbin", "sys", "tmp",
                "usr", "usr/bin", "usr/sbin", "var", "var/tmp"));
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : dirs) {
                TarArchiveEntry e = new TarArchiveEntry(d + "/", TarConstants.LF_DIR);
                e.setMode(d.equals("tmp") || d.equals("var/tmp") ? 01777 : d.equals("root") ? 0700 : 0755);
                put(tar, e, null);
            }
            TarArchiveEntry bin = new TarArchiveEntry("bin/busybox");
            bin.setMode(0755);
            bin.setSize(Files.size(busybox));
            put(tar, bin, Files.readAllBytes(busybox));
            for (String applet : applets) {
                int slash = applet.lastIndexOf('/');
                if (applet.equals("bin/busybox") || slash < 0 || !dirs.contains(applet.substring(0, slash))) {
                    continue;
                }
                TarArchiveEntry link = new TarArchiveEntry(applet, TarConstants.LF_SYMLINK);
                link.setLinkName("/bin/busybox");
                link.setMode(0777);
                put(tar, link, null);
            }
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
            file(tar, "etc/group", "root:x:0:\nnogroup:x:65534:\n");
            file(tar, "etc/hostname", "busybox\n");
            file(tar, "etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
            // Debian's busybox-static resolves names through glibc's NSS, which without this file
            // finds nothing: wget, nc and nslookup need it to look up container and host names.
            file(tar, "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\n");
        }
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0644);
        e.setSize(data.length);
        put(tar, e, data);
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] data) throws IOException {
        e.setModTime(EPOCH);
        e.setIds(0, 0);
        e.setNames("root", "root");
        tar.putArchiveEntry(e);
        if (data != null) {
            tar.write(data);
        }
        tar.closeArchiveEntry();
    }

    static List<String> applets() throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = BusyboxRootfs.class.getResourceAsStream(APPLETS)) {
            if (in == null) {
                throw new IOException("the image module lacks its resource " + APPLETS);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.add(line.strip());
                }
            }
        }
        return out;
    }
}
