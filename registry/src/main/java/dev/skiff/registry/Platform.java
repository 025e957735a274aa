package dev.skiff.registry;

/**
 * An OCI platform: os, architecture and (for arm) variant, as in an image index entry.
 *
 * @param variant null when not given
 */
public record Platform(String os, String architecture, String variant) {
    /** linux and this JVM's architecture in Go's names (amd64, arm64, ...). */
    public static Platform host() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Parses {@code --platform}: "os[/arch[/variant]]" (an arch alone, "amd64", means linux/amd64), normalised
     * as containerd's platforms package does (x86_64 = amd64, aarch64 = arm64, arm64's default variant v8).
     *
     * @throws RegistryException INVALID on a malformed value
     */
    public static Platform parse(String value) throws RegistryException {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
