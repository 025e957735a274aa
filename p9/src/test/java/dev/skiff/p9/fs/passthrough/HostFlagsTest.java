package dev.skiff.p9.fs.passthrough;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.wire.P9;
import dev.skiff.sys.OpenFlags;
import org.junit.jupiter.api.Test;

/** P9_DOTL open flags become the host's O_* values, every one of them. */
class HostFlagsTest {
    @Test
    void everyFlagIsTranslated() {
        int[][] pairs = {
                {P9.DOTL_WRONLY, OpenFlags.O_WRONLY}, {P9.DOTL_RDWR, OpenFlags.O_RDWR},
                {P9.DOTL_CREATE, OpenFlags.O_CREAT}, {P9.DOTL_EXCL, OpenFlags.O_EXCL},
                {P9.DOTL_TRUNC, OpenFlags.O_TRUNC}, {P9.DOTL_APPEND, OpenFlags.O_APPEND},
                {P9.DOTL_NONBLOCK, OpenFlags.O_NONBLOCK}, {P9.DOTL_DSYNC, OpenFlags.O_DSYNC},
                {P9.DOTL_DIRECT, OpenFlags.O_DIRECT}, {P9.DOTL_LARGEFILE, OpenFlags.O_LARGEFILE},
                {P9.DOTL_DIRECTORY, OpenFlags.O_DIRECTORY}, {P9.DOTL_NOFOLLOW, OpenFlags.O_NOFOLLOW},
                {P9.DOTL_NOATIME, OpenFlags.O_NOATIME}, {P9.DOTL_SYNC, OpenFlags.O_SYNC}};
        for (int[] p : pairs) {
            int host = HostFlags.of(p[0]);
            assertEquals(p[1], host & p[1], "flag 0" + Integer.toOctalString(p[0]));
            assertEquals(OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY, host & (OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY));
        }
        assertEquals(0, HostFlags.of(P9.DOTL_FASYNC) & OpenFlags.O_ASYNC, "FASYNC is dropped");
        assertEquals(OpenFlags.O_RDONLY, HostFlags.of(P9.DOTL_NOACCESS) & OpenFlags.O_ACCMODE);
    }
}
