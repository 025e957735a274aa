package dev.skiff.engine.image;

import dev.skiff.erofs.LayerConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code disks/<diffid-hex>.erofs}: one read-only EROFS disk per layer, converted from the layer's
 * blob by {@link LayerConverter} on first use, into a temp file renamed into place. A lock per
 * layer makes concurrent callers for one layer wait for a single build.
 */
final class LayerDisks {
    private final Path dir;
    private final Path tmp;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final AtomicInteger builds = new AtomicInteger();

    LayerDisks(Path dir, Path tmp) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.tmp = tmp;
    }

    Path path(String diffId) {
        return dir.resolve(BlobStore.hex(diffId) + ".erofs");
    }

    boolean exists(String diffId) {
        return Files.isRegularFile(path(diffId));
    }

    /** The disk of {@code diffId}, built from {@code blob} unless it exists. */
    Path get(String diffId, Path blob) throws IOException {
        Path disk = path(diffId);
        if (Files.isRegularFile(disk)) {
            return disk;
        }
        ReentrantLock lock = locks.computeIfAbsent(diffId, k -> new ReentrantLock());
        lock.lock();
        try {
            if (Files.isRegularFile(disk)) {
                return disk;
            }
            Path temp = tempFile(diffId);
            try {
                LayerConverter.convert(blob, temp);
                Files.move(temp, disk, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IOException("failed to build the disk of layer " + diffId + ": " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(temp);
            }
            builds.incrementAndGet();
            return disk;
        } finally {
            lock.unlock();
        }
    }

    /** A temp file (on the store's file system) to build the disk of {@code diffId} in, for {@link #adopt}. */
    Path tempFile(String diffId) {
        return tmp.resolve(BlobStore.hex(diffId) + "." + java.util.UUID.randomUUID() + ".erofs");
    }

    /**
     * Moves a disk built elsewhere (a pull converts while it downloads) into place; if the layer's disk appeared
     * meanwhile, keeps that one (same layer, same content) and leaves {@code built} for the caller to delete.
     */
    void adopt(String diffId, Path built) throws IOException {
        ReentrantLock lock = locks.computeIfAbsent(diffId, k -> new ReentrantLock());
        lock.lock();
        try {
            Path disk = path(diffId);
            if (!Files.isRegularFile(disk)) {
                Files.move(built, disk, StandardCopyOption.ATOMIC_MOVE);
                builds.incrementAndGet();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the disk of a layer no image has any more (waiting for a build in progress). */
    void delete(String diffId) throws IOException {
        ReentrantLock lock = locks.computeIfAbsent(diffId, k -> new ReentrantLock());
        lock.lock();
        try {
            Files.deleteIfExists(path(diffId));
        } finally {
            lock.unlock();
        }
    }

    /** Deletes disks whose layer is not in {@code keep} (diffIDs): leftovers of a crash or an old store. */
    void retainOnly(java.util.Set<String> keep) throws IOException {
        try (var files = Files.newDirectoryStream(dir, "*.erofs")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!keep.contains("sha256:" + name.substring(0, name.length() - ".erofs".length()))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** How many disks this instance has built (for tests: concurrent callers build once). */
    int builds() {
        return builds.get();
    }
}
