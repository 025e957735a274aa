package dev.skiff.engine.image;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Progress;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.Descriptor;
import dev.skiff.registry.ImageManifest;
import dev.skiff.registry.Platform;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryException;
import dev.skiff.registry.Repository;
import dev.skiff.registry.ResolvedManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One docker pull: resolve the reference to a manifest, fetch the config, then every layer the store
 * does not have, a few at a time (the store's download slots are shared by all pulls, as dockerd's
 * {@code max-concurrent-downloads}), each converted to its disk as it arrives ({@link LayerFetch}).
 * The image is committed only when every layer is in place, so a failed pull leaves no image and,
 * once its pins are released, no blob.
 */
final class Pull {
    /** What a pull did: the image id, the RepoDigest, and whether the tag moved (Docker's two final lines). */
    record Outcome(String id, String repoDigest, boolean newer) {}

    private final ImageStore store;
    private final Repository repository;
    private final Reference ref;
    private final Platform platform;
    private final Progress progress;
    private final List<String> pins = new ArrayList<>();

    Pull(ImageStore store, Repository repository, Reference ref, Platform platform, Progress progress) {
        this.store = store;
        this.repository = repository;
        this.ref = ref;
        this.platform = platform;
        this.progress = progress;
    }

    /** See {@link ImageStore#pull}. */
    static String pull(ImageStore store, RegistryClient registries, String ref, String platform,
                       Credentials credentials, Progress progress) throws EngineException, IOException {
        Reference reference = Reference.parse(ref);
        Platform wanted;
        try {
            wanted = platform == null || platform.isBlank() ? Platform.host() : Platform.parse(platform);
        } catch (RegistryException e) {
            throw RegistryErrors.toEngine(e);
        }
        Repository repository = registries.repository(reference.registry(), reference.remotePath(), credentials,
                false);
        return new Pull(store, repository, reference, wanted, progress).run().id();
    }

    Outcome run() throws EngineException, IOException {
        try {
            String tagOrDigest = ref.digest() != null ? ref.digest() : ref.tag();
            ResolvedManifest resolved = repository.resolve(tagOrDigest, platform);
            progress.message(tagOrDigest, "Pulling from " + repository.path());
            ImageManifest manifest = resolved.manifest();
            byte[] configBytes = repository.readBlob(manifest.config(), ConfigJson.MAX_JSON);
            ConfigJson.Parsed config;
            try {
                config = ConfigJson.parse(configBytes);
            } catch (IOException e) {
                throw EngineException.invalid("failed to pull " + ref.familiar() + ": the image config "
                        + manifest.config().digest() + " is not valid: " + e.getMessage());
            }
            check(config, manifest);
            List<ImageDb.Layer> layers = fetchLayers(manifest.layers(), config.diffIds());
            BlobStore.Stored stored = store.blobs().store(new ByteArrayInputStream(configBytes),
                    manifest.config().digest());
            pins.add(stored.digest());
            String id = stored.digest();
            boolean newer = !id.equals(store.state().repos().refs().get(ref.familiar()));
            store.commitImage(id, layers, config, List.of(ref.familiar(),
                    ref.withDigest(resolved.repoDigest()).familiar()), m -> { });
            Outcome outcome = new Outcome(id, resolved.repoDigest(), newer);
            progress.message(null, "Digest: " + resolved.repoDigest());
            progress.message(null, "Status: " + (outcome.newer() ? "Downloaded newer image for "
                    : "Image is up to date for ") + ref.familiar());
            return outcome;
        } catch (RegistryException e) {
            throw RegistryErrors.toEngine(e);
        } finally {
            store.release(pins);
        }
    }

    /** A layer some image already has, with its disk, its blob pinned (for {@link #pins}), or null. */
    private ImageDb.Layer existingLayer(String diffId) {
        for (List<ImageDb.Layer> layers : store.state().db().images().values()) {
            for (ImageDb.Layer l : layers) {
                if (l.diffId().equals(diffId) && store.disks().exists(diffId) && store.blobs().pinIfExists(l.blob())) {
                    return l;
                }
            }
        }
        return null;
    }

    /** The config must describe the layers the manifest lists, for an OS Skiff runs. */
    private void check(ConfigJson.Parsed config, ImageManifest manifest) throws EngineException {
        if (!config.os().toLowerCase(Locale.ROOT).equals("linux")) {
            throw EngineException.invalid("image operating system \"" + config.os()
                    + "\" cannot be used on this platform: Skiff runs linux images");
        }
        if (config.diffIds().size() != manifest.layers().size()) {
            throw EngineException.invalid("failed to pull " + ref.familiar()
                    + ": layers from manifest don't match image configuration (" + manifest.layers().size()
                    + " layers, " + config.diffIds().size() + " diff_ids)");
        }
    }

    /** Every layer, in order: those the store has ("Already exists"), the rest fetched a few at a time. */
    private List<ImageDb.Layer> fetchLayers(List<Descriptor> blobs, List<String> diffIds)
            throws EngineException, IOException, RegistryException {
        ImageDb.Layer[] layers = new ImageDb.Layer[blobs.size()];
        List<LayerFetch> fetches = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            ImageDb.Layer have = existingLayer(diffIds.get(i));
            String id = ArchiveLoader.short12(blobs.get(i).digest());
            if (have != null) {
                pins.add(have.blob());
                layers[i] = have;
                progress.layer(id, "Already exists");
            } else {
                progress.layer(id, "Pulling fs layer");
                fetches.add(new LayerFetch(repository, blobs.get(i), diffIds.get(i), store.blobs(), store.disks(),
                        progress));
                slots.add(i);
            }
        }
        Semaphore downloads = store.downloads();
        List<Future<ImageDb.Layer>> running = new ArrayList<>();
        Throwable failure = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (LayerFetch f : fetches) {
                running.add(pool.submit(() -> {
                    if (!downloads.tryAcquire()) {
                        progress.layer(f.id(), "Waiting");
                        downloads.acquire();
                    }
                    ImageDb.Layer layer;
                    try {
                        layer = f.run();
                    } finally {
                        downloads.release();
                    }
                    store.layerReady(layer.diffId());
                    return layer;
                }));
            }
            for (int k = 0; k < running.size() && failure == null; k++) {
                try {
                    layers[slots.get(k)] = running.get(k).get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new IOException("the pull was interrupted", e);
                }
                if (failure != null) {
                    running.forEach(r -> r.cancel(true)); // the others stop; closing the pool waits for them
                }
            }
        }
        // every fetch has ended: pin what completed, so release() deletes it unless an image uses it
        for (Future<ImageDb.Layer> r : running) {
            if (r.state() == Future.State.SUCCESS) {
                pins.add(r.resultNow().blob());
            }
        }
        if (failure != null) {
            store.dropUnusedDisks(running.stream().filter(r -> r.state() == Future.State.SUCCESS)
                    .map(r -> r.resultNow().diffId()).toList());
            throw unwrap(failure);
        }
        return List.of(layers);
    }

    /** Rethrows a fetch's failure as what it is; the return type only lets callers write {@code throw}. */
    private IOException unwrap(Throwable cause) throws EngineException, IOException, RegistryException {
        switch (cause) {
            case RegistryException e -> throw e;
            case LayerFetch.LayerFailure e -> throw EngineException.invalid(e.getMessage());
            // a blob that failed its digest, a registry gone mid-download: the pull's error, said once, here
            case IOException e -> throw new EngineException(EngineException.Kind.INTERNAL, "failed to pull "
                    + ref.familiar() + ": " + e.getMessage(), e);
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> {
                return new IOException(cause);
            }
        }
    }
}
