package dev.skiff.erofs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A comparable picture of a file tree: per path its type, permission bits, owner, size, link count, mtime,
 * xattrs and content (SHA-256 of a file, target of a symlink, major:minor of a device).
 */
public final class TreeSnapshot {
    public record Node(String type, int mode, long uid, long gid, long size, long nlink, long mtime,
                       Map<String, String> xattrs, String content) {}

    private TreeSnapshot() {}

    /**
     * Reads an image the independent way: directory listings and link counts from dump.erofs, file data from
     * {@code fsck.erofs --extract}, raw inode fields from {@link ImageInspector}.
     */
    public static Map<String, Node> ofImage(Path image, Path scratch) throws Exception {
        ErofsTools.fsck(image);
        Path dir = scratch.resolve("extract-" + System.nanoTime());
        ErofsTools.extract(image, dir);
        Map<String, Node> out = new TreeMap<>();
        walk(image, dir, "", out);
        return out;
    }

    private static void walk(Path image, Path extracted, String dir, Map<String, Node> out) throws Exception {
        Map<String, long[]> entries = ErofsTools.ls(image, dir.isEmpty() ? "/" : dir);
        for (var e : entries.entrySet()) {
            String name = e.getKey();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String path = dir + "/" + name;
            long nid = e.getValue()[0];
            ImageInspector.RawInode raw = ImageInspector.inode(image, nid);
            Map<String, String> dump = ErofsTools.dump(image, path);
            assertEquals(Long.toString(raw.nlink()), dump.get("Links"), "dump.erofs link count of " + path);
            assertEquals(Long.toString(nid), dump.get("NID"), "dump.erofs nid of " + path);
            Path p = extracted.resolve(path.substring(1));
            String type = switch (raw.mode() & 0170000) {
                case 0100000 -> "file";
                case 0040000 -> "dir";
                case 0120000 -> "symlink";
                case 0020000 -> "char";
                case 0060000 -> "block";
                case 0010000 -> "fifo";
                case 0140000 -> "socket";
                default -> "?";
            };
            String content = switch (type) {
                case "file" -> sha256(raw.layout() == 4 ? ImageInspector.chunkedContent(image, nid)
                        : Files.readAllBytes(p));
                case "symlink" -> Files.readSymbolicLink(p).toString();
                case "char", "block" -> {
                    long rdev = ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue();
                    yield major(rdev) + ":" + minor(rdev);
                }
                default -> "";
            };
            long size = type.equals("dir") ? -1 : raw.size();
            if (type.equals("file") && raw.layout() != 4) {
                assertEquals(raw.size(), Files.size(p), "extracted size of " + path);
            }
            out.put(path, new Node(type, raw.mode() & 07777, raw.uid(), raw.gid(), size, raw.nlink(), raw.mtime(),
                    raw.xattrs(), content));
            if (type.equals("dir")) {
                walk(image, extracted, path, out);
            }
        }
    }

    static long major(long rdev) {
        return ((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL);
    }

    static long minor(long rdev) {
        return (rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL);
    }

    /** What a tar of these entries (no duplicates, parents listed before children) must give. */
    public static Map<String, Node> ofEntries(List<TarBuilder.Entry> entries) {
        Map<String, TarBuilder.Entry> byPath = new HashMap<>();
        Map<String, Long> links = new HashMap<>();
        Map<String, String> canonical = new HashMap<>();
        for (TarBuilder.Entry e : entries) {
            String path = "/" + strip(e.name);
            if (e.type == '1') {
                String target = canonical.get("/" + strip(e.link));
                canonical.put(path, target);
                links.merge(target, 1L, Long::sum);
            } else {
                canonical.put(path, path);
                byPath.put(path, e);
                links.merge(path, 1L, Long::sum);
            }
        }
        for (String path : byPath.keySet()) {
            if (byPath.get(path).type == '5') {
                links.put(path, 2L);
            }
        }
        for (String path : byPath.keySet()) {
            if (byPath.get(path).type == '5') {
                String parent = path.substring(0, path.lastIndexOf('/'));
                if (!parent.isEmpty()) {
                    links.merge(parent, 1L, Long::sum);
                }
            }
        }
        Map<String, Node> out = new TreeMap<>();
        for (var c : canonical.entrySet()) {
            TarBuilder.Entry e = byPath.get(c.getValue());
            String type = switch (e.type) {
                case '0' -> "file";
                case '5' -> "dir";
                case '2' -> "symlink";
                case '3' -> "char";
                case '4' -> "block";
                case '6' -> "fifo";
                default -> "?";
            };
            Map<String, String> x = new TreeMap<>();
            e.xattrs.forEach((k, v) -> x.put(k, HexFormat.of().formatHex(v)));
            String content = switch (type) {
                case "file" -> sha256(e.data);
                case "symlink" -> e.link;
                case "char", "block" -> e.major + ":" + e.minor;
                default -> "";
            };
            long size = switch (type) {
                case "file" -> e.data.length;
                case "symlink" -> e.link.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                case "dir" -> -1;
                default -> 0;
            };
            out.put(c.getKey(), new Node(type, e.mode & 07777, e.uid, e.gid, size, links.get(c.getValue()),
                    e.mtime, x, content));
        }
        return out;
    }

    private static String strip(String name) {
        String s = name;
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
