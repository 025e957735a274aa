package dev.skiff.virtiofs.host;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every class of the share host's own code at start. The host outlives daemons, and with
 * them rebuilds: Maven rewrites a module's jar in place (same inode), and a class the host loaded
 * only later (a rare error path, a lock operation) would then be read from a different file than
 * the one it opened. Loading everything up front leaves nothing to read later.
 */
final class ClassPreload {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs.host");

    private ClassPreload() {}

    /** Loads (without initialising) every class in the jars or folders that hold {@code anchors}. */
    static int load(List<Class<?>> anchors) {
        long t0 = System.nanoTime();
        ClassLoader loader = ClassPreload.class.getClassLoader();
        int loaded = 0;
        for (Class<?> anchor : anchors) {
            try {
                for (String name : classNames(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()))) {
                    try {
                        Class.forName(name, false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError e) {
                        // a class for an absent optional dependency: never used here
                    }
                }
            } catch (IOException | URISyntaxException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not preload the classes beside " + anchor.getName() + ": " + e);
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "preloaded " + loaded + " classes in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return loaded;
    }

    private static List<String> classNames(Path location) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.filter(f -> f.toString().endsWith(".class"))
                        .forEach(f -> names.add(className(location.relativize(f).toString())));
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (n.endsWith(".class") && !n.startsWith("META-INF/")) {
                        names.add(className(n));
                    }
                }
            }
        }
        names.removeIf(n -> n.endsWith("module-info") || n.endsWith("package-info"));
        return names;
    }

    private static String className(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.').replace(java.io.File.separatorChar, '.');
    }
}
