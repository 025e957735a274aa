package dev.skiff.p9.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.p9.wire.P9;
import dev.skiff.sys.OpenFlags;
import org.junit.jupiter.api.Test;

/** The flag table read both ways: what passthrough opens with is what a FUSE guest asked for. */
class LinuxOpenFlagsTest {
    @Test
    void everyFlagRoundTrips() {
        int[] dotl = {P9.DOTL_CREATE, P9.DOTL_EXCL, P9.DOTL_TRUNC, P9.DOTL_APPEND, P9.DOTL_NONBLOCK,
                P9.DOTL_DSYNC, P9.DOTL_DIRECT, P9.DOTL_LARGEFILE, P9.DOTL_DIRECTORY, P9.DOTL_NOFOLLOW,
                P9.DOTL_NOATIME};
        for (int d : dotl) {
            assertEquals(d | P9.DOTL_RDWR, LinuxOpenFlags.toDotl(LinuxOpenFlags.fromDotl(d | P9.DOTL_RDWR)),
                    "flag 0" + Integer.toOctalString(d));
        }
        assertEquals(P9.DOTL_SYNC | P9.DOTL_DSYNC, LinuxOpenFlags.toDotl(OpenFlags.O_SYNC), "O_SYNC carries O_DSYNC's bit");
        assertEquals(P9.DOTL_DSYNC, LinuxOpenFlags.toDotl(OpenFlags.O_DSYNC), "O_DSYNC alone is not O_SYNC");
        assertEquals(P9.DOTL_WRONLY, LinuxOpenFlags.toDotl(OpenFlags.O_WRONLY | OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY),
                "flags meaningless to the server's descriptor are dropped");
    }
}
