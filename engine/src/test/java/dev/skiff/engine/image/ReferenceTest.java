package dev.skiff.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReferenceTest {
    @Test
    void dockerHubNamesNormaliseToTheFamiliarForm() {
        for (String s : new String[] {"busybox", "busybox:latest", "library/busybox", "library/busybox:latest",
                "docker.io/library/busybox:latest", "docker.io/busybox", "index.docker.io/library/busybox"}) {
            assertEquals("busybox:latest", Reference.tryParse(s).familiar(), s);
        }
        assertEquals("user/app:1.0", Reference.tryParse("docker.io/user/app:1.0").familiar());
        assertEquals("localhost:5000/a/b:latest", Reference.tryParse("localhost:5000/a/b").familiar());
        assertEquals("quay.io/x/y:v2", Reference.tryParse("quay.io/x/y:v2").familiar());
        String d = "sha256:" + "ab".repeat(32);
        assertEquals("busybox@" + d, Reference.tryParse("docker.io/library/busybox@" + d).familiar());
    }

    @Test
    void invalidReferencesAreRefused() {
        for (String s : new String[] {"", "Busybox", "a:b:c", "busybox:", "-x", "a//b", "ab".repeat(32),
                "busybox@sha256:12", "x:" + "t".repeat(129)}) {
            assertNull(Reference.tryParse(s), s);
        }
    }
}
