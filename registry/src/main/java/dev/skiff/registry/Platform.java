package dev.skiff.registry;

import java.util.Locale;
import java.util.Set;

/**
 * An OCI platform: os, architecture and (for arm) variant, as in an image index entry.
 *
 * @param variant null when not given
 */
public record Platform(String os, String architecture, String variant) {
    /** Go's GOOS values (go/build's syslist.go), as containerd's platforms package checks them. */
    private static final Set<String> KNOWN_OS = Set.of("aix", "android", "darwin", "dragonfly", "freebsd",
            "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1",
            "windows", "zos");
    /** Go's GOARCH values. */
    private static final Set<String> KNOWN_ARCH = Set.of("386", "amd64", "amd64p32", "arm", "armbe", "arm64",
            "arm64be", "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc",
            "ppc64", "ppc64le", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm");

    /** linux and this JVM's architecture in Go's names (amd64, arm64, ...). */
    public static Platform host() {
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "arm", "arm32" -> "arm";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case String other -> other;
        };
        return normalise("linux", arch, null);
    }

    /**
     * Parses {@code --platform}: "os[/arch[/variant]]" (an arch alone, "amd64", means linux/amd64), normalised
     * as containerd's platforms package does (x86_64 = amd64, aarch64 = arm64, arm64's default variant v8).
     *
     * @throws RegistryException INVALID on a malformed value
     */
    public static Platform parse(String value) throws RegistryException {
        if (value == null || value.isBlank()) {
            throw invalid(value, "invalid platform: empty");
        }
        String[] parts = value.strip().toLowerCase(Locale.ROOT).split("/", -1);
        for (String p : parts) {
            if (p.isEmpty() || !p.matches("[a-z0-9_.-]+")) {
                throw invalid(value, "\"" + value + "\": invalid platform component: invalid argument");
            }
        }
        return switch (parts.length) {
            case 1 -> {
                // containerd: a known OS alone takes the host's architecture; anything else must be an arch.
                if (KNOWN_OS.contains(parts[0])) {
                    Platform host = host();
                    yield normalise(parts[0], host.architecture, host.variant);
                }
                yield checked(value, "linux", parts[0], null);
            }
            case 2 -> checked(value, parts[0], parts[1], null);
            case 3 -> checked(value, parts[0], parts[1], parts[2]);
            default -> throw invalid(value, "\"" + value + "\": cannot parse platform specifier: invalid argument");
        };
    }

    private static Platform checked(String value, String os, String arch, String variant) throws RegistryException {
        Platform p = normalise(os, arch, variant);
        if (!KNOWN_OS.contains(p.os) || !KNOWN_ARCH.contains(p.architecture)) {
            throw invalid(value, "\"" + value + "\": unknown operating system or architecture: invalid argument");
        }
        return p;
    }

    /**
     * containerd's {@code platforms.Normalize}, except that arm64's missing variant becomes v8 (and arm's v7)
     * rather than empty, so a requested arm64 prints as Docker prints it ("linux/arm64/v8") and index
     * entries without a variant compare equal to it.
     */
    static Platform normalise(String os, String arch, String variant) {
        String o = os == null ? "" : os.toLowerCase(Locale.ROOT);
        if (o.equals("macos")) {
            o = "darwin";
        }
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        String v = variant == null || variant.isEmpty() ? null : variant.toLowerCase(Locale.ROOT);
        switch (a) {
            case "i386" -> a = "386";
            case "x86_64", "x86-64", "amd64" -> {
                a = "amd64";
                if ("v1".equals(v)) {
                    v = null;
                }
            }
            case "aarch64", "arm64" -> {
                a = "arm64";
                if (v == null || v.equals("8")) {
                    v = "v8";
                }
            }
            case "armhf" -> {
                a = "arm";
                v = "v7";
            }
            case "armel" -> {
                a = "arm";
                v = "v6";
            }
            case "arm" -> {
                if (v == null || v.equals("7")) {
                    v = "v7";
                } else if (v.equals("5") || v.equals("6") || v.equals("8")) {
                    v = "v" + v;
                }
            }
            default -> { }
        }
        return new Platform(o, a, v);
    }

    /** The index-entry matching rule: same os and arch; the variant too when this (wanted) platform has one. */
    boolean matches(Platform entry) {
        Platform e = normalise(entry.os, entry.architecture, entry.variant);
        Platform w = normalise(os, architecture, variant);
        return w.os.equals(e.os) && w.architecture.equals(e.architecture)
                && (w.variant == null || w.variant.equals(e.variant));
    }

    private static RegistryException invalid(String value, String message) {
        return new RegistryException(RegistryException.Kind.INVALID, message);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
