package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A dedicated VM's guest RAM from its container's memory limit (docker run --isolation=hyperv -m). */
class DedicatedMemoryTest {
    private static final long GIB = 1L << 30;

    @Test
    void roomForTheLimitBesideTheGuestsOwnNeedsWithinTheHost() {
        assertEquals(512, Placement.dedicatedMemoryMib(512, 0, 24 * GIB), "no limit: the configured size");
        assertEquals(512, Placement.dedicatedMemoryMib(512, 64L << 20, 24 * GIB), "a small limit fits the default");
        assertEquals(1024 + Placement.GUEST_OVERHEAD_MIB, Placement.dedicatedMemoryMib(512, GIB, 24 * GIB));
        assertEquals(1 + 256 + Placement.GUEST_OVERHEAD_MIB, Placement.dedicatedMemoryMib(512, (256L << 20) + 1, 24 * GIB),
                "a part of a MiB counts as one");
        assertEquals(24 * 1024, Placement.dedicatedMemoryMib(512, 100 * GIB, 24 * GIB), "never more than the host has");
    }
}
