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
    void eachNameKnowsItsRegistryAndRemotePath() {
        record Case(String ref, String registry, String path) {}
        for (Case c : new Case[] {new Case("busybox", "docker.io", "library/busybox"),
                new Case("docker.io/user/app", "docker.io", "user/app"),
                new Case("127.0.0.1:5000/test/img:1", "127.0.0.1:5000", "test/img"),
                new Case("localhost/a", "localhost", "a"), new Case("quay.io/x/y/z", "quay.io", "x/y/z")}) {
            Reference r = Reference.tryParse(c.ref());
            assertEquals(c.registry(), r.registry(), c.ref());
            assertEquals(c.path(), r.remotePath(), c.ref());
        }
    }

    @Test
    void invalidReferencesAreRefused() {
        for (String s : new String[] {"", "Busybox", "a:b:c", "busybox:", "-x", "a//b", "ab".repeat(32),
                "busybox@sha256:12", "x:" + "t".repeat(129)}) {
            assertNull(Reference.tryParse(s), s);
        }
    }
}
