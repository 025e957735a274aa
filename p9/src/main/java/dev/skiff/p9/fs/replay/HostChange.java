package dev.skiff.p9.fs.replay;

/**
 * A change made to an export's files outside this server (on the host, or by another server of
 * the same folder), which a guest is about to replay through its own mount so that its kernel
 * raises the inotify events. Paths are relative to the export root, '/'-separated, without
 * {@code .} or {@code ..} components.
 */
public sealed interface HostChange {
    /** A name that appeared: the guest makes it (mknod, mkdir). */
    record Created(String path, boolean directory) implements HostChange {}

    /** A name that went away: the guest unlinks it (or removes the directory). */
    record Deleted(String path, boolean directory) implements HostChange {}

    /** A rename within the export: the guest renames {@code from} to {@code to}. */
    record Moved(String from, String to, boolean directory) implements HostChange {}

    /** Content changed: the guest sets the file's mtime (IN_MODIFY). */
    record Modified(String path) implements HostChange {}

    /** A writer closed the file: the guest opens it for writing and closes it (IN_CLOSE_WRITE). */
    record Written(String path) implements HostChange {}

    /** Mode, owner or times changed: the guest sets the mode it reads (IN_ATTRIB). */
    record AttributesChanged(String path) implements HostChange {}

    /** Whether {@code path} is one the replay accepts: relative, no empty, {@code .} or {@code ..} parts. */
    static boolean valid(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
