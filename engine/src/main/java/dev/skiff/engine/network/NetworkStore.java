package dev.skiff.engine.network;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * User-defined networks on disk: one {@code networks.json}, replaced atomically (temp file,
 * fsync, rename) at every change, so a daemon killed mid-write leaves the old list or the new.
 */
public final class NetworkStore {
    /** A user-defined network as it is kept. */
    public record Stored(String id, String name, String driver, String subnet, String gateway, String created,
                  boolean internal, boolean attachable, Map<String, String> labels, Map<String, String> options) {
        public Stored {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            options = options == null ? Map.of() : Map.copyOf(options);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;

    NetworkStore(Path dir) {
        this.file = dir == null ? null : dir.resolve("networks.json");
    }

    List<Stored> load() throws IOException {
        if (file == null || !Files.exists(file)) {
            return List.of();
        }
        return JSON.readValue(file.toFile(), new TypeReference<List<Stored>>() { });
    }

    void save(List<Stored> networks) throws IOException {
        if (file == null) {
            return; // in-memory (tests of the API layer)
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("networks.json.tmp");
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new ArrayList<>(networks));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
