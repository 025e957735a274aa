package dev.skiff.erofs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.sys.HostTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's erofs-utils as the independent judge of the images: {@code fsck.erofs} (check, extract) and
 * {@code dump.erofs} (inode fields). Missing tools fail the test with what to install; they never skip it.
 */
public final class ErofsTools {
    private ErofsTools() {}

    public record Result(int exit, String output) {}

    static String tool(String name) {
        return HostTools.find(name).orElseGet(() -> fail(HostTools.missing(name, "erofs-utils")
                + ": these tests check images with it")).toString();
    }

    public static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** {@code fsck.erofs IMAGE} must accept the image. */
    public static void fsck(Path image) throws Exception {
        Result r = run(List.of(tool("fsck.erofs"), image.toString()));
        assertEquals(0, r.exit(), "fsck.erofs rejected " + image + ":\n" + r.output());
    }

    /** {@code fsck.erofs --extract=DIR --preserve IMAGE}: checks every file's data and extracts the tree. */
    public static void extract(Path image, Path dir) throws Exception {
        Result r = run(List.of(tool("fsck.erofs"), "--extract=" + dir, "--preserve", image.toString()));
        assertEquals(0, r.exit(), "fsck.erofs --extract failed on " + image + ":\n" + r.output());
    }

    /** {@code dump.erofs --path=P IMAGE} parsed into its "Key: value" fields (and "Type"). */
    public static Map<String, String> dump(Path image, String path) throws Exception {
        Result r = run(List.of(tool("dump.erofs"), "--path=" + path, image.toString()));
        assertEquals(0, r.exit(), "dump.erofs --path=" + path + " failed:\n" + r.output());
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            if (line.startsWith("Size:")) {
                fields.put("Type", line.substring(line.lastIndexOf("  ") + 2).trim());
            }
            // lines hold several "Key: value" pairs separated by two or more spaces
            for (String pair : line.trim().split("\\s{2,}")) {
                int colon = pair.indexOf(": ");
                if (colon > 0) {
                    fields.put(pair.substring(0, colon).trim(), pair.substring(colon + 2).trim());
                }
            }
        }
        return fields;
    }

    /** {@code dump.erofs --ls --path=DIR}: name to {nid, type}. */
    public static Map<String, long[]> ls(Path image, String dir) throws Exception {
        Result r = run(List.of(tool("dump.erofs"), "--ls", "--path=" + dir, image.toString()));
        assertEquals(0, r.exit(), "dump.erofs --ls --path=" + dir + " failed:\n" + r.output());
        Map<String, long[]> out = new LinkedHashMap<>();
        boolean table = false;
        for (String line : r.output().split("\n")) {
            if (line.trim().startsWith("NID") && line.contains("FILENAME")) {
                table = true;
                continue;
            }
            if (!table || line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+", 3);
            out.put(parts[2], new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
        }
        return out;
    }

    /** The superblock fields {@code dump.erofs -s} prints. */
    public static List<String> superblock(Path image) throws Exception {
        Result r = run(List.of(tool("dump.erofs"), "-s", image.toString()));
        assertEquals(0, r.exit(), r.output());
        return new ArrayList<>(List.of(r.output().split("\n")));
    }
}
