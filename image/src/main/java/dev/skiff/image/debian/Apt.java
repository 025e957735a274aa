package dev.skiff.image.debian;

import dev.skiff.sys.HostTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Resolves and downloads Debian packages with the host's apt ({@code apt-cache}, {@code apt-get
 * download}). Downloads are kept in a cache folder and reused by exact file name; read-only
 * folders (root's cache, for a plain user) are looked in before downloading.
 */
public final class Apt {
    private final Path debDir;
    private final List<Path> sharedDebDirs;

    public Apt(Path debDir) {
        this(debDir, List.of());
    }

    /** @param sharedDebDirs folders of .debs to reuse, never to write: searched after {@code debDir} */
    public Apt(Path debDir, List<Path> sharedDebDirs) {
        this.debDir = debDir;
        this.sharedDebDirs = List.copyOf(sharedDebDirs);
    }

    /** The candidate version apt would install, e.g. {@code 6.1.192-3}. */
    public String candidateVersion(String name) throws IOException {
        return candidateVersions(List.of(name)).get(name);
    }

    /**
     * The candidate version of each package, in the order given, from one {@code apt-cache policy}:
     * each run of apt-cache spends most of a second loading its cache, and every daemon start resolves
     * the guest image's two dozen packages (one run per package made that half a minute).
     */
    public Map<String, String> candidateVersions(List<String> names) throws IOException {
        List<String> argv = new ArrayList<>(List.of("apt-cache", "policy"));
        argv.addAll(names);
        Map<String, String> found = parsePolicy(run(argv.toArray(String[]::new)));
        Map<String, String> versions = new LinkedHashMap<>();
        for (String name : names) {
            String v = found.get(name);
            if (v == null) {
                throw new IOException("apt knows no candidate version of " + name
                        + "; run 'apt-get update' (as root) and try again");
            }
            versions.put(name, v);
        }
        return versions;
    }

    /**
     * Package name to candidate version, from {@code apt-cache policy}'s output: a section per
     * package, opened by {@code name:} at the start of a line, with a {@code Candidate:} line that
     * says {@code (none)} when nothing can be installed. Packages apt does not know have no section.
     */
    static Map<String, String> parsePolicy(List<String> lines) {
        Map<String, String> versions = new LinkedHashMap<>();
        String current = null;
        for (String line : lines) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.endsWith(":")) {
                current = line.substring(0, line.length() - 1);
                continue;
            }
            String l = line.strip();
            if (current != null && l.startsWith("Candidate:")) {
                String v = l.substring("Candidate:".length()).strip();
                if (!v.equals("(none)")) {
                    versions.put(current, v);
                }
                current = null;
            }
        }
        return versions;
    }

    /** The package a metapackage depends on first whose name starts with {@code prefix}. */
    public String dependencyOf(String meta, String prefix) throws IOException {
        for (String line : run("apt-cache", "depends", "--important", meta)) {
            String l = line.strip();
            if (l.startsWith("Depends: " + prefix)) {
                return l.substring("Depends: ".length()).strip();
            }
        }
        throw new IOException("cannot resolve " + meta + " to a " + prefix + "* package; run 'apt-get update'");
    }

    /** Downloads name=version unless the cache has it, and returns it with its hash. */
    public DebianPackage fetch(String name, String version) throws IOException {
        Files.createDirectories(debDir);
        Path deb = find(debDir, name, version);
        for (int i = 0; deb == null && i < sharedDebDirs.size(); i++) {
            deb = find(sharedDebDirs.get(i), name, version);
        }
        if (deb == null) {
            run(debDir, "apt-get", "download", "-q", name + "=" + version);
            deb = find(debDir, name, version);
            if (deb == null) {
                throw new IOException("apt-get download " + name + "=" + version + " left no .deb in " + debDir);
            }
        }
        return new DebianPackage(name, version, deb, sha256(deb));
    }

    private static Path find(Path debDir, String name, String version) throws IOException {
        if (!Files.isDirectory(debDir)) {
            return null;
        }
        String fileVersion = version.replace(":", "%3a");
        try (DirectoryStream<Path> debs = Files.newDirectoryStream(debDir, name + "_*.deb")) {
            for (Path deb : debs) {
                String f = deb.getFileName().toString();
                if (f.startsWith(name + "_" + fileVersion + "_")) {
                    return deb;
                }
            }
        }
        return null;
    }

    static String sha256(Path file) throws IOException {
        Path memo = file.resolveSibling(file.getFileName() + ".sha256");
        if (Files.exists(memo) && Files.getLastModifiedTime(memo).compareTo(Files.getLastModifiedTime(file)) >= 0) {
            return Files.readString(memo).strip();
        }
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            String hex = HexFormat.of().formatHex(md.digest());
            try {
                Files.writeString(memo, hex + "\n");
            } catch (IOException e) {
                // a shared cache this user may only read: the hash is right, it is just not remembered
            }
            return hex;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> run(String... command) throws IOException {
        return run(null, command);
    }

    private static List<String> run(Path dir, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of(command));
        argv.set(0, HostTools.find(command[0]).orElseThrow(() -> new IOException(command[0] + " is not installed (looked"
                + " in PATH and " + String.join(", ", HostTools.SYSTEM_DIRS) + "): the guest image is built from Debian"
                + " packages with apt, so build it on a Debian or Ubuntu host")).toString());
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is not available (" + e.getMessage()
                    + "): the guest image is built from Debian packages, so build it on a Debian or Ubuntu host", e);
        }
        List<String> lines = new ArrayList<>();
        try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
            reader.lines().forEach(lines::add);
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command[0], e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
        }
        return lines;
    }
}
