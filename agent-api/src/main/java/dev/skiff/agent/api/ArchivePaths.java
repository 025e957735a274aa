package dev.skiff.agent.api;

/**
 * The limits and checks of docker cp's paths and streams (ReadArchive, WriteArchive), shared by
 * the host and the agent so both sides refuse the same things.
 */
public final class ArchivePaths {
    private ArchivePaths() {}

    /** Data bytes per ArchiveChunk or WriteArchiveRequest. */
    public static final int CHUNK = 64 * 1024;
    /**
     * Chunks a sender may have unacknowledged: well under ttrpc's per-stream buffer of 64
     * messages, so a receiver that is slow for a while never overflows it (ttrpc has no flow
     * control of its own: a full buffer fails the stream after a second).
     */
    public static final int WINDOW = 16;
    /** A receiver grants credit in batches of this many chunks. */
    public static final int CREDIT_BATCH = WINDOW / 2;
    /** Linux's PATH_MAX: the longest path asked for, and the longest name in a tar. */
    public static final int MAX_PATH = 4096;
    /** A symlink target, as Linux allows. */
    public static final int MAX_LINK = 4096;

    /**
     * Returns a path given by docker cp made absolute and clean, with its trailing "/" or "/."
     * kept (moby: {@code PreserveTrailingDotOrSeparator(filepath.Join("/", path), path)}: ".."
     * is lexical here, before any symlink is looked at), or throws naming what is wrong.
     */
    public static String absolute(String path) {
        check(path);
        String cleaned = clean("/" + path);
        boolean dot = path.equals(".") || path.endsWith("/.");
        if (dot && !cleaned.endsWith("/.")) {
            return cleaned.equals("/") ? "/." : cleaned + "/.";
        }
        if (path.endsWith("/") && !cleaned.endsWith("/")) {
            return cleaned + "/";
        }
        return cleaned;
    }

    /** Go's {@code path.Clean} of an absolute path: no "", "." or ".." elements; ".." at the root stays there. */
    public static String clean(String absolute) {
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (String element : absolute.split("/")) {
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(element);
            }
        }
        return "/" + String.join("/", out);
    }

    private static void check(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("Path cannot be empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL byte");
        }
        if (path.length() > MAX_PATH) {
            throw new IllegalArgumentException("path is longer than " + MAX_PATH + " characters");
        }
    }

    /** The last element as moby's {@code filepath.Base} gives it: "/" for the root, "." for "x/.". */
    public static String base(String absolute) {
        String p = absolute;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/")) {
            return "/";
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
