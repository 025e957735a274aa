package dev.skiff.image.debian;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks a .deb's data archive into a folder, as {@code dpkg-deb -x} would, but in Java and
 * refusing any entry that would land outside the folder. The unpacked tree is cached: a marker
 * file says the unpack finished.
 */
public final class DebArchive {
    private DebArchive() {}

    private static final String DONE = ".unpacked";

    /**
     * Unpacks {@code pkg} under {@code root/<file name without .deb>} unless already done; returns that
     * folder. A finished tree beside the .deb itself is returned as it is: a .deb found in a shared,
     * read-only cache is unpacked there already.
     */
    public static Path unpack(DebianPackage pkg, Path root) throws IOException {
        String base = pkg.file().getFileName().toString().replaceFirst("\\.deb$", "");
        Path beside = pkg.file().resolveSibling(base);
        if (Files.exists(beside.resolve(DONE))) {
            return beside;
        }
        Path dir = root.resolve(base);
        if (Files.exists(dir.resolve(DONE))) {
            return dir;
        }
        // this process's own staging folder: another process may be unpacking the same package
        Path tmp = root.resolve(base + ".partial." + ProcessHandle.current().pid());
        deleteTree(tmp);
        Files.createDirectories(tmp);
        try (InputStream file = new BufferedInputStream(Files.newInputStream(pkg.file()));
             ArArchiveInputStream ar = new ArArchiveInputStream(file)) {
            ArArchiveEntry entry;
            boolean found = false;
            while ((entry = ar.getNextEntry()) != null) {
                String name = entry.getName();
                if (name.startsWith("data.tar")) {
                    extractTar(decompress(name, ar), tmp, pkg);
                    found = true;
                    break;
                }
            }
            if (!found) {
                throw new IOException(pkg.file() + " has no data.tar member");
            }
        }
        Files.writeString(tmp.resolve(DONE), pkg.sha256() + "\n");
        if (Files.exists(dir.resolve(DONE))) {
            deleteTree(tmp); // another process finished the same package first
            return dir;
        }
        deleteTree(dir); // an unfinished one (no DONE), left by a process that died
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            deleteTree(tmp); // another process moved its copy in between
            if (!Files.exists(dir.resolve(DONE))) {
                throw e;
            }
        }
        return dir;
    }

    private static InputStream decompress(String member, InputStream in) throws IOException {
        if (member.endsWith(".xz")) {
            return new XZCompressorInputStream(in);
        }
        if (member.endsWith(".gz")) {
            return new GzipCompressorInputStream(in);
        }
        if (member.equals("data.tar")) {
            return in;
        }
        throw new IOException("unsupported .deb data member " + member + " (expected .xz or .gz)");
    }

    private static void extractTar(InputStream data, Path dir, DebianPackage pkg) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(data);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path target = dir.resolve(e.getName()).normalize();
            if (!target.startsWith(dir)) {
                throw new IOException(pkg + ": entry " + e.getName() + " points outside the package");
            }
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                Path source = dir.resolve(e.getLinkName()).normalize();
                if (!source.startsWith(dir)) {
                    throw new IOException(pkg + ": hard link " + e.getName() + " points outside the package");
                }
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.copy(source, target);
            } else if (e.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, permissions(e.getMode()));
            }
            // device nodes and fifos are never needed from these packages
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    /** Deletes a folder and everything below it; nothing if it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
