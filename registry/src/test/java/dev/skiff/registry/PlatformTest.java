package dev.skiff.registry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformTest {
    @Test
    void hostIsLinuxInGoNames() {
        Platform h = Platform.host();
        assertEquals("linux", h.os());
        assertTrue(java.util.Set.of("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64")
                .contains(h.architecture()), h.toString());
    }

    @Test
    void normalisesLikeContainerd() throws RegistryException {
        assertEquals("linux/amd64", Platform.parse("linux/x86_64").toString());
        assertEquals("linux/amd64", Platform.parse("linux/x86-64").toString());
        assertEquals("linux/amd64", Platform.parse("amd64").toString());
        assertEquals("linux/arm64/v8", Platform.parse("linux/aarch64").toString());
        assertEquals("linux/arm64/v8", Platform.parse("linux/arm64").toString());
        assertEquals("linux/arm/v7", Platform.parse("linux/armhf").toString());
        assertEquals("linux/arm/v6", Platform.parse("linux/arm/v6").toString());
        assertEquals("linux/386", Platform.parse("linux/i386").toString());
        assertEquals("linux", Platform.parse("linux").os());
        assertEquals(Platform.host().architecture(), Platform.parse("LINUX").architecture());
    }

    @Test
    void badValuesAreInvalidWithContainerdsWords() {
        RegistryException e = assertThrows(RegistryException.class, () -> Platform.parse("xx"));
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        assertEquals("\"xx\": unknown operating system or architecture: invalid argument", e.getMessage());
        assertThrows(RegistryException.class, () -> Platform.parse("linux/amd64/v3/x"));
        assertThrows(RegistryException.class, () -> Platform.parse("linux//v7"));
        assertThrows(RegistryException.class, () -> Platform.parse(""));
        assertThrows(RegistryException.class, () -> Platform.parse("plan10/amd64"));
    }

    @Test
    void matchingTreatsMissingArm64VariantAsV8() throws RegistryException {
        assertTrue(Platform.parse("linux/arm64/v8").matches(new Platform("linux", "arm64", null)));
        assertTrue(Platform.parse("linux/arm64").matches(new Platform("linux", "aarch64", "v8")));
        assertFalse(Platform.parse("linux/arm/v7").matches(new Platform("linux", "arm", "v6")));
        assertTrue(Platform.parse("linux/amd64").matches(new Platform("linux", "amd64", "v3")));
        assertFalse(Platform.parse("linux/amd64").matches(new Platform("windows", "amd64", null)));
    }
}
