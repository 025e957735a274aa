package dev.skiff.cli.selftest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small read-only disk holding one known file, for the hot-plug check. It is an EROFS image
 * (the guest's layer file system) made with mkfs.erofs from Debian's erofs-utils, until the
 * pure-Java layer writer (the erofs module) takes over this job.
 */
public final class TestDisk {
    private TestDisk() {}

    public static final String FILE = "hello.txt";

    /** Writes {@code content} as {@value #FILE} into a fresh EROFS image at {@code image}. */
    public static void create(Path image, String content) throws IOException {
        Path dir = Files.createTempDirectory("skiff-testdisk");
        try {
            Files.writeString(dir.resolve(FILE), content);
            Process p;
            try {
                p = new ProcessBuilder("mkfs.erofs", "--quiet", image.toString(), dir.toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("mkfs.erofs is needed for the test disk: apt-get install erofs-utils", e);
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mkfs.erofs failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(dir.resolve(FILE));
            Files.deleteIfExists(dir);
        }
    }
}
