package dev.skiff.engine.image;

import dev.skiff.erofs.tar.Decompression;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What an image has at one path, copied into a host folder: how a new volume gets the image's
 * content at its mount point, as Docker copies it. The layers' tars are applied lowest first with
 * their whiteouts, on the host, from the blobs the store keeps.
 *
 * <p>The layers are the user's input: nothing is written outside {@code target}. A name with
 * {@code ..}, and any entry whose parent inside {@code target} is a symlink (an earlier layer may
 * point one anywhere), is skipped rather than followed. Devices and FIFOs are skipped too: the
 * folder is served over 9P, where they cannot work.
 */
final class PathCopy {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final List<String> prefix;
    private final Path target;

    /** @param containerPath absolute, e.g. /var/lib/postgresql/data */
    PathCopy(String containerPath, Path target) {
        this.prefix = components(containerPath);
        this.target = target;
    }

    /** Applies one layer blob (plain, gzip or zstd). */
    void apply(Path blob) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(Decompression.open(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                List<String> name = components(e.getName());
                if (name == null || name.size() < prefix.size() || !name.subList(0, prefix.size()).equals(prefix)) {
                    continue;
                }
                List<String> rel = name.subList(prefix.size(), name.size());
                if (rel.isEmpty()) {
                    if (e.isDirectory()) {
                        attributes(target, e); // the mount point itself: its owner and mode, as Docker copies them
                    }
                    continue;
                }
                String last = rel.getLast();
                Path parent = inside(rel.subList(0, rel.size() - 1));
                if (parent == null) {
                    continue;
                }
                if (last.equals(OPAQUE)) {
                    clear(parent);
                } else if (last.startsWith(WHITEOUT)) {
                    deleteTree(parent.resolve(last.substring(WHITEOUT.length())));
                } else {
                    write(parent.resolve(last), e, tar);
                }
            }
        }
    }

    private void write(Path p, TarArchiveEntry e, InputStream data) throws IOException {
        if (!e.isDirectory() || Files.isSymbolicLink(p)) {
            deleteTree(p);
        }
        if (e.isDirectory()) {
            Files.createDirectories(p);
        } else if (e.isSymbolicLink()) {
            Files.createSymbolicLink(p, Path.of(e.getLinkName()));
            return; // a symlink's own owner and mode do not matter to Linux
        } else if (e.isLink()) {
            List<String> link = components(e.getLinkName());
            if (link == null || link.size() <= prefix.size() || !link.subList(0, prefix.size()).equals(prefix)) {
                return; // a hard link to a file outside the copied path
            }
            Path from = inside(link.subList(prefix.size(), link.size()));
            if (from != null && Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                Files.createLink(p, from);
            }
            return;
        } else if (e.isFile()) {
            Files.copy(data, p, StandardCopyOption.REPLACE_EXISTING);
        } else {
            return;
        }
        attributes(p, e);
    }

    private static void attributes(Path p, TarArchiveEntry e) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(p, permissions(e.getMode()));
        if ((e.getMode() & 07000) != 0) {
            Files.setAttribute(p, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
        }
        Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }

    /** The folder for {@code rel} under target, or null if any part of it is not a real directory. */
    private Path inside(List<String> rel) {
        Path p = target;
        for (String c : rel) {
            p = p.resolve(c);
            if (Files.isSymbolicLink(p) || Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p,
                    LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
        }
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            return null;
        }
        return p;
    }

    private static void clear(Path dir) throws IOException {
        try (var children = Files.list(dir)) {
            for (Path c : children.toList()) {
                deleteTree(c);
            }
        }
    }

    /** "a/b/./c/" as [a, b, c]; null if it has a ".." component. */
    private static List<String> components(String name) {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                return null;
            }
            out.add(c);
        }
        return out;
    }

    /** Deletes a file or a folder with everything in it, without following symlinks. */
    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            clear(p);
        }
        Files.deleteIfExists(p);
    }
}
