package dev.skiff.image.debian;

import java.nio.file.Path;

/** One downloaded .deb: its exact name and version, the file, and the file's SHA-256. */
public record DebianPackage(String name, String version, Path file, String sha256) {
    @Override
    public String toString() {
        return name + " " + version;
    }
}
