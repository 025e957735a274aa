package dev.skiff.engine;

import dev.skiff.engine.api.Backend.ImageDetail;
import dev.skiff.engine.api.Backend.ImageSummary;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Events;
import dev.skiff.engine.api.Progress;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.placement.Placement;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The image half of the Docker API over the image store and the registries: each change publishes
 * dockerd's image event (load, import, pull, push, tag, untag, delete), and an image that a container
 * uses is not deleted (the table says which).
 */
final class ImageApi {
    private final ImageStore images;
    private final RegistryClient registries;
    private final ContainerTable table;
    private final Events events;
    private final Placement placement;

    ImageApi(ImageStore images, RegistryClient registries, ContainerTable table, Events events, Placement placement) {
        this.placement = placement;
        this.images = images;
        this.registries = registries;
        this.table = table;
        this.events = events;
    }

    List<ImageSummary> images() {
        return images.list().stream().map(ImageStore.Image::summary).toList();
    }

    ImageDetail inspect(String ref) throws EngineException {
        return images.resolve(ref).detail();
    }

    List<String> load(InputStream archive, Consumer<String> progress) throws EngineException, IOException {
        List<String> loaded = images.load(archive, progress);
        loaded.forEach(name -> events.publish("image", "load", name, Map.of("name", name)));
        return loaded;
    }

    String importRootfs(InputStream rootfsTar, String repo, String tag, Map<String, String> changes,
            Consumer<String> progress) throws EngineException, IOException {
        String ref = repo == null || repo.isEmpty() ? null : repo + (tag == null || tag.isEmpty() ? "" : ":" + tag);
        String id = images.importRootfs(rootfsTar, ref, changes, progress).id();
        events.publish("image", "import", id, Map.of("name", ref == null ? id : ref));
        return id;
    }

    String pull(String ref, String platform, String registryAuth, Progress progress)
            throws EngineException, IOException {
        String id = images.pull(registries, ref, platform, Credentials.fromHeader(registryAuth), progress);
        events.publish("image", "pull", ref, Map.of("name", ref));
        return id;
    }

    void push(String name, String tag, String registryAuth, Progress progress)
            throws EngineException, IOException {
        images.push(registries, name, tag, Credentials.fromHeader(registryAuth), progress);
        String ref = name + ":" + (tag == null || tag.isEmpty() ? "latest" : tag);
        events.publish("image", "push", ref, Map.of("name", ref));
    }

    String login(Credentials credentials) throws EngineException {
        try {
            return registries.login(credentials);
        } catch (RegistryException e) {
            throw new EngineException(e.kind() == RegistryException.Kind.UNAUTHORIZED
                    ? EngineException.Kind.UNAUTHORIZED : EngineException.Kind.INTERNAL, e.getMessage(), e);
        }
    }

    void tag(String ref, String repo, String tag) throws EngineException {
        try {
            String target = repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag);
            images.tag(ref, target);
            events.publish("image", "tag", images.resolve(target).id(), Map.of("name", target));
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot tag " + ref + ": " + e.getMessage(), e);
        }
    }

    List<Map<String, String>> remove(String ref, boolean force) throws EngineException {
        List<Map<String, String>> lines = images.remove(ref, force,
                id -> table.all().stream().anyMatch(c -> c.imageId.equals(id)));
        for (Map<String, String> line : lines) {
            line.forEach((what, name) -> events.publish("image", what.equals("Untagged") ? "untag" : "delete", name,
                    Map.of("name", name)));
        }
        if (lines.stream().anyMatch(l -> l.containsKey("Deleted"))) {
            // Its layers that no other image has left the store: the shared VM unplugs those no
            // container there uses (a container of the image would have kept it from deletion).
            placement.reclaimLayers(images::layerGone);
        }
        return lines;
    }
}
