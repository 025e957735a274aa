package dev.skiff.image.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reads real binaries of this Linux host and of the JDK running the test. */
class ElfFileTest {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @Test
    void dynamicExecutableListsItsLibrariesAndInterpreter() throws IOException {
        ElfFile java = ElfFile.read(JAVA);
        assertTrue(java.needed().contains("libc.so.6"), java.needed().toString());
        assertTrue(java.needed().contains("libjli.so"), java.needed().toString());
        assertEquals(Optional.of("/lib64/ld-linux-x86-64.so.2"), java.interpreter());
    }

    @Test
    void sharedLibraryHasNeedsButNoInterpreter() throws IOException {
        ElfFile jvm = ElfFile.read(Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so"));
        assertTrue(jvm.needed().contains("libc.so.6"));
        assertFalse(jvm.interpreter().isPresent());
    }

    @Test
    void nonElfIsRefusedWithItsName() {
        IOException e = assertThrows(IOException.class, () -> ElfFile.of("notes.txt", new byte[100]));
        assertTrue(e.getMessage().contains("notes.txt"));
    }

    @Test
    void truncatedSectionTableIsRefusedNotOverread() throws IOException {
        byte[] bytes = java.nio.file.Files.readAllBytes(JAVA);
        byte[] cut = java.util.Arrays.copyOf(bytes, 4096);
        assertThrows(IOException.class, () -> ElfFile.of("cut", cut));
    }
}
