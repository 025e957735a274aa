package dev.skiff.p9.fs;

import dev.skiff.p9.wire.P9;

/**
 * The open-flag half of the read-only rule, shared by every protocol served from a
 * {@link FileSystem}: an open that asks for write access, truncation, creation or appending
 * changes the export and is refused with EROFS on a read-only export before the backend is asked.
 */
public final class ReadOnlyRule {
    private ReadOnlyRule() {}

    /** True if P9_DOTL open flags ask for write access, truncation, creation or appending. */
    public static boolean opensForChange(int dotl) {
        int acc = dotl & P9.DOTL_NOACCESS;
        return acc == P9.DOTL_WRONLY || acc == P9.DOTL_RDWR
                || (dotl & (P9.DOTL_CREATE | P9.DOTL_TRUNC | P9.DOTL_APPEND)) != 0;
    }
}
