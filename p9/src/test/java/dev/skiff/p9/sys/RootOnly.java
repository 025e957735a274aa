package dev.skiff.p9.sys;

import dev.skiff.sys.Fds;
import org.junit.jupiter.api.Assertions;

/**
 * Gate for tests that need root (chown to other users, device nodes). Without root they fail,
 * saying so: a skipped test would let a run pass without covering them.
 */
public final class RootOnly {
    private RootOnly() {}

    public static void require(String why) {
        Assertions.assertEquals(0, Fds.geteuid(),
                "this test needs root for " + why + "; run the tests as root (./skiff test, as CI does)");
    }
}
