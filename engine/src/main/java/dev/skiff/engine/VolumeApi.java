package dev.skiff.engine;

import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.Backend.VolumeInfo;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.network.LabelFilter;
import dev.skiff.engine.volume.VolumeStore;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The volume half of the Docker API, and what a container's create and remove do with volumes:
 * a volume mount becomes a bind of the volume's folder (a new or empty volume first filled from the
 * image, as Docker does), an image's VOLUME an anonymous volume, and docker rm -v (or --rm) takes
 * the container's anonymous volumes with it.
 */
final class VolumeApi {
    private static final Logger LOG = System.getLogger(VolumeApi.class.getName());
    private final VolumeStore store;
    private final ImageStore images;
    private final ContainerTable table;

    VolumeApi(VolumeStore store, ImageStore images, ContainerTable table) {
        this.store = store;
        this.images = images;
        this.table = table;
    }

    List<VolumeInfo> volumes() {
        return store.list().stream().map(this::info).toList();
    }

    VolumeInfo inspect(String name) throws EngineException {
        return info(store.get(name));
    }

    VolumeInfo create(String name, String driver, Map<String, String> labels, Map<String, String> options)
            throws EngineException {
        return info(store.create(name, driver, labels, options));
    }

    /** Refused while a container (running or not) mounts it, as Docker refuses it, with -f too. */
    void remove(String name, boolean force) throws EngineException {
        try {
            store.remove(name, users(name));
        } catch (EngineException e) {
            if (force && e.kind() == EngineException.Kind.NOT_FOUND) {
                return; // docker volume rm -f of a missing volume is not an error
            }
            throw e;
        }
    }

    List<String> prune(List<String> labels, boolean all) throws EngineException {
        List<String> removed = new ArrayList<>();
        for (VolumeStore.Volume v : store.list()) {
            if ((all || v.anonymous()) && LabelFilter.matches(v.labels(), labels) && users(v.name()).isEmpty()) {
                store.remove(v.name(), List.of());
                removed.add(v.name());
            }
        }
        return removed;
    }

    /**
     * The mounts a new container gets: its own, an anonymous volume for each image VOLUME nothing else is mounted
     * on, and every volume mount bound to its volume's folder (made if missing, filled from the image if empty).
     * On failure the anonymous volumes made here are removed again.
     */
    List<BindMount> bind(List<BindMount> requested, List<String> imageVolumes, String imageId) throws EngineException {
        List<BindMount> wanted = new ArrayList<>(requested);
        for (String path : imageVolumes) {
            if (wanted.stream().noneMatch(b -> b.containerPath().equals(path))) {
                wanted.add(BindMount.volume("", path, false, false));
            }
        }
        List<BindMount> out = new ArrayList<>();
        List<String> made = new ArrayList<>();
        try {
            for (BindMount b : wanted) {
                if (!b.isVolume() || b.hostPath() != null) {
                    out.add(b);
                    continue;
                }
                VolumeStore.Volume v = store.create(b.volume(), "local", Map.of(), Map.of());
                if (b.volume().isEmpty()) {
                    made.add(v.name());
                }
                if (!b.noCopy() && empty(v.mountpoint())) {
                    images.copyPath(imageId, b.containerPath(), v.mountpoint());
                }
                out.add(b.boundTo(v.name(), v.mountpoint().toString()));
            }
            return out;
        } catch (EngineException | IOException | RuntimeException e) {
            dropAnonymous(made);
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot prepare the container's volumes: "
                    + e.getMessage(), e);
        }
    }

    /**
     * After docker rm -v, a --rm container's end, or a create that failed: the anonymous volumes among
     * {@code mounts} that no container mounts any more.
     */
    void removeAnonymous(List<BindMount> mounts) {
        List<String> names = new ArrayList<>();
        for (BindMount b : mounts) {
            if (b.isVolume() && !b.volume().isEmpty()) {
                try {
                    if (store.get(b.volume()).anonymous()) {
                        names.add(b.volume());
                    }
                } catch (EngineException gone) {
                    // removed already
                }
            }
        }
        dropAnonymous(names);
    }

    private void dropAnonymous(List<String> names) {
        for (String n : names) {
            try {
                store.remove(n, users(n));
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "anonymous volume " + n + " kept: " + e.getMessage());
            }
        }
    }

    private List<String> users(String name) {
        return table.all().stream().filter(c -> c.spec.binds().stream()
                .anyMatch(b -> name.equals(b.volume()))).map(c -> c.id).sorted().toList();
    }

    private VolumeInfo info(VolumeStore.Volume v) {
        return new VolumeInfo(v.name(), v.mountpoint().toString(), v.created(), v.labels(), users(v.name()));
    }

    private static boolean empty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
