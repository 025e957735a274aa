package dev.skiff.engine.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Containers on disk: {@code <root>/<id>/state.json}, replaced atomically (written to a temp
 * file, fsynced, renamed) so a daemon killed mid-write leaves the old state or the new one.
 */
public final class ContainerStore {
    private static final Logger LOG = System.getLogger(ContainerStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path root;
    /** One lock per container with a save or delete under way: its saves and its delete take turns. */
    private final ConcurrentHashMap<String, Object> guards = new ConcurrentHashMap<>();

    public ContainerStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** A new container's folder and first state. */
    public void create(Container c) throws IOException {
        Files.createDirectories(dir(c.id));
        save(c);
    }

    /**
     * Replaces the container's state on disk. Saves come from several threads (a start, the exit's
     * watcher, a health check) and may meet {@code docker rm}: one container's saves and its delete
     * take turns, so none shares the temp file with another or walks into a delete, and a save
     * that comes after the delete does nothing instead of bringing the container back at the next
     * daemon start.
     */
    public void save(Container c) throws IOException {
        Object guard = guard(c.id);
        synchronized (guard) {
            Path dir = dir(c.id);
            if (!Files.isDirectory(dir)) {
                guards.remove(c.id, guard);
                return; // removed
            }
            Path tmp = dir.resolve("state.json.tmp");
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c.record());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, dir.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Object guard(String id) {
        return guards.computeIfAbsent(id, k -> new Object());
    }

    public List<Container> loadAll() throws IOException {
        List<Container> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                Path state = d.resolve("state.json");
                if (!Files.exists(state)) {
                    continue;
                }
                try {
                    out.add(Container.fromRecord(JSON.readValue(state.toFile(), Container.Record.class), d));
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "skiff: ignoring unreadable container state " + state + ": "
                            + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Deletes the container's folder; a save under way finishes first, a later one does nothing. */
    public void delete(String id) throws IOException {
        Object guard = guard(id);
        try {
            synchronized (guard) {
                Path dir = dir(id);
                if (!Files.exists(dir)) {
                    return;
                }
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } finally {
            guards.remove(id, guard);
        }
    }
}
