package dev.skiff.engine.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.EngineException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The volumes under {@code <root>/<name>/}: {@code volume.json} (created, labels, options) beside
 * {@code _data}, the folder containers see. Thread-safe; every change is written before it is
 * visible, so a crash leaves either the old volume set or the new one.
 */
public final class VolumeStore {
    /** Docker's label on the volumes it makes for a {@code VOLUME} or a bare {@code -v /path}. */
    public static final String ANONYMOUS = "com.docker.volume.anonymous";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A volume: its name, where its data is, and what it was created with. */
    public record Volume(String name, Path mountpoint, Instant created, Map<String, String> labels,
                         Map<String, String> options) {
        public boolean anonymous() {
            return labels.containsKey(ANONYMOUS);
        }
    }

    private final Path root;
    private final Map<String, Volume> volumes = new ConcurrentHashMap<>();

    public VolumeStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                if (d.getFileName().toString().endsWith(".removing")) {
                    deleteTree(d); // a remove that a crash interrupted
                    continue;
                }
                Path meta = d.resolve("volume.json");
                if (Files.isRegularFile(meta) && Files.isDirectory(d.resolve("_data"))) {
                    volumes.put(d.getFileName().toString(), read(d.getFileName().toString(), meta));
                }
            }
        }
    }

    public List<Volume> list() {
        return volumes.values().stream().sorted(Comparator.comparing(Volume::name)).toList();
    }

    public Volume get(String name) throws EngineException {
        Volume v = volumes.get(name);
        if (v == null) {
            throw EngineException.notFound("get " + name + ": no such volume");
        }
        return v;
    }

    /**
     * docker volume create: a new volume, or the existing one of that name (as Docker does: creating is
     * idempotent). {@code name} null or empty makes an anonymous volume with a random 64-hex name.
     */
    public synchronized Volume create(String name, String driver, Map<String, String> labels,
                                      Map<String, String> options) throws EngineException {
        if (driver != null && !driver.isEmpty() && !driver.equals("local")) {
            throw EngineException.notFound("create " + name + ": error looking up volume plugin " + driver
                    + ": plugin \"" + driver + "\" not found (Skiff has the local driver only)");
        }
        if (options != null && !options.isEmpty()) {
            throw EngineException.invalid("create " + name + ": driver options " + options.keySet()
                    + " are not supported: Skiff's volumes are host folders served to the VMs");
        }
        Map<String, String> l = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        if (name == null || name.isEmpty()) {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            name = HexFormat.of().formatHex(b);
            l.putIfAbsent(ANONYMOUS, "");
        } else if (!NAME.matcher(name).matches()) {
            throw EngineException.invalid("create " + name + ": \"" + name + "\" includes invalid characters for a local"
                    + " volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host"
                    + " directory, use absolute path");
        }
        Volume existing = volumes.get(name);
        if (existing != null) {
            return existing;
        }
        Path dir = root.resolve(name);
        Volume v = new Volume(name, dir.resolve("_data"), Instant.now(), Map.copyOf(l), Map.of());
        try {
            Files.createDirectories(v.mountpoint());
            write(v);
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "create " + name + ": " + e.getMessage(), e);
        }
        volumes.put(name, v);
        return v;
    }

    /**
     * docker volume rm: refused while {@code users} (ids of containers that mount it) is not empty, force or not,
     * as Docker refuses it.
     */
    public synchronized void remove(String name, List<String> users) throws EngineException {
        Volume v = get(name);
        if (!users.isEmpty()) {
            throw EngineException.conflict("remove " + name + ": volume is in use - " + users);
        }
        volumes.remove(name);
        try {
            // renamed first, so a half-deleted volume is never found again under its name
            Path doomed = root.resolve("." + name + ".removing");
            Files.move(root.resolve(name), doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "remove " + name + ": " + e.getMessage()
                    + " (the volume is gone from the list; its folder may remain under " + root + ")", e);
        }
    }

    private Volume read(String name, Path meta) throws IOException {
        JsonNode j = JSON.readTree(meta.toFile());
        Map<String, String> labels = new LinkedHashMap<>();
        j.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        Instant created;
        try {
            created = Instant.parse(j.path("CreatedAt").asText());
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return new Volume(name, root.resolve(name).resolve("_data"), created, Map.copyOf(labels), Map.of());
    }

    private void write(Volume v) throws IOException {
        ObjectNode j = JSON.createObjectNode().put("Name", v.name()).put("CreatedAt", v.created().toString());
        ObjectNode labels = j.putObject("Labels");
        v.labels().forEach(labels::put);
        Path meta = root.resolve(v.name()).resolve("volume.json");
        Path tmp = meta.resolveSibling(".volume.json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(j));
        Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
