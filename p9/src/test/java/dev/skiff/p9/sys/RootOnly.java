package dev.skiff.p9.sys;

import dev.skiff.sys.Fds;
import org.junit.jupiter.api.Assumptions;

/** Gate for tests that need root; elsewhere they are skipped with the reason printed. */
public final class RootOnly {
    private RootOnly() {}

    public static void assume(String why) {
        Assumptions.assumeTrue(Fds.geteuid() == 0,
                "SKIPPED: needs root for " + why + "; run the p9 suite as root (CI does) to cover it");
    }
}
