package dev.skiff.p9.server;

import dev.skiff.p9.fs.FileSystem;
import java.util.Arrays;

/**
 * One exported directory tree.
 *
 * @param path     the export's absolute host path; Tattach accepts it, or an empty aname
 * @param fs       the backend that serves it
 * @param readOnly refuse every change with EROFS in the server, before the backend is asked
 * @param secret   if not null, the per-share secret a client must write to its afid before
 *                 Tattach (see {@code Auth})
 */
public record Export(String path, FileSystem fs, boolean readOnly, byte[] secret) {
    public Export {
        secret = secret == null ? null : Arrays.copyOf(secret, secret.length);
    }

    /** True if {@code aname} names this export: empty, or its path (trailing slashes ignored). */
    public boolean matches(String aname) {
        if (aname.isEmpty()) {
            return true;
        }
        return strip(aname).equals(strip(path));
    }

    private static String strip(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
