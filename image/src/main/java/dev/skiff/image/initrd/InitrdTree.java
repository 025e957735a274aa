package dev.skiff.image.initrd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The file tree of an initrd, keyed by absolute path and kept sorted. Each entry is tagged with
 * the component it belongs to ("kernel modules", "java runtime", ...) for the size breakdown.
 */
public final class InitrdTree {
    /** One entry of the tree. */
    public sealed interface Node permits Dir, File, Symlink {
        String component();
    }

    public record Dir(int mode, String component) implements Node {}

    /** A regular file whose bytes come from a host file. */
    public record File(Path source, int mode, long size, String component) implements Node {}

    public record Symlink(String target, String component) implements Node {}

    private final SortedMap<String, Node> nodes = new TreeMap<>();

    /** Adds a directory and any missing parents. */
    public void dir(String path, String component) {
        String p = normalize(path);
        while (!p.equals("/") && !nodes.containsKey(p)) {
            nodes.put(p, new Dir(0755, component));
            p = parent(p);
        }
    }

    public void file(String path, Path source, int mode, String component) throws IOException {
        String p = normalize(path);
        dir(parent(p), component);
        nodes.put(p, new File(source, mode, Files.size(source), component));
    }

    public void symlink(String path, String target, String component) {
        String p = normalize(path);
        dir(parent(p), component);
        nodes.put(p, new Symlink(target, component));
    }

    public boolean contains(String path) {
        return nodes.containsKey(normalize(path));
    }

    public SortedMap<String, Node> nodes() {
        return Collections.unmodifiableSortedMap(nodes);
    }

    /** Uncompressed bytes per component, in the order components were first added. */
    public Map<String, Long> sizeByComponent() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (Node n : nodes.values()) {
            long size = n instanceof File f ? f.size() : 0;
            sizes.merge(n.component(), size, Long::sum);
        }
        return sizes;
    }

    private static String normalize(String path) {
        if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..") || path.contains("//")) {
            throw new IllegalArgumentException("initrd paths are absolute and normal: " + path);
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
