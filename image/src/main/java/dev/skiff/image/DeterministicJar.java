package dev.skiff.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs a classes folder into a jar with sorted entries and fixed times, for development builds
 * where the guest program comes from target/classes instead of a jar.
 */
final class DeterministicJar {
    private DeterministicJar() {}

    private static final FileTime EPOCH = FileTime.fromMillis(0);

    static void pack(Path classes, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out)) {
            for (Path f : files) {
                JarEntry e = new JarEntry(classes.relativize(f).toString().replace('\\', '/'));
                e.setLastModifiedTime(EPOCH);
                e.setCreationTime(EPOCH);
                e.setLastAccessTime(EPOCH);
                e.setTime(0);
                jos.putNextEntry(e);
                Files.copy(f, jos);
                jos.closeEntry();
            }
        }
    }
}
