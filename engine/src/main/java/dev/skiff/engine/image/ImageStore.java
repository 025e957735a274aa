package dev.skiff.engine.image;

import static dev.skiff.engine.image.ArchiveLoader.invalid;

import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Progress;
import dev.skiff.image.BusyboxRootfs;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The host's images: docker load, import, rmi, lookup by any reference, and the EROFS disk of
 * each layer. See the package documentation for the layout under the root.
 *
 * <p>Thread-safe. Reads ({@link #list}, {@link #resolve}) see an immutable snapshot and never
 * block; mutations take one lock only to commit (the long part of a load, spooling and checking
 * blobs, runs outside it), and write images.json before repositories.json, so no tag ever names an
 * image whose blobs are not all stored.
 */
public final class ImageStore {
    private static final Logger LOG = System.getLogger(ImageStore.class.getName());
    private static final Pattern FULL_ID = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(?:sha256:)?([a-f0-9]{4,64})");
    private static final String BUSYBOX = "busybox:latest";
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * An image as the store holds it.
     *
     * @param id           "sha256:<hex of the config blob>"
     * @param repoTags     familiar "name:tag" references, sorted
     * @param repoDigests  familiar "name@sha256:..." references, sorted
     * @param created      from the config
     * @param size         the bytes of the layers' regular files, as Docker counts it
     * @param config       the container defaults; absent values are empty, never null
     * @param diffIds      "sha256:..." of the uncompressed layers, lowest first
     */
    public record Image(String id, List<String> repoTags, List<String> repoDigests, Instant created, long size,
                        String os, String architecture, Backend.ImageConfig config, List<String> diffIds) {
        public Backend.ImageSummary summary() {
            return new Backend.ImageSummary(id, repoTags, repoDigests, created, size, config.labels());
        }

        public Backend.ImageDetail detail() {
            return new Backend.ImageDetail(summary(), os, architecture, config, diffIds);
        }
    }

    /** What readers see; replaced whole on each commit. */
    record State(ImageDb db, Repositories repos, Map<String, ConfigJson.Parsed> configs) {}

    private final Path root;
    private final BlobStore blobs;
    private final LayerDisks disks;
    private final ReentrantLock mutations = new ReentrantLock();
    private final ReentrantLock busybox = new ReentrantLock();
    /** Layer downloads at once, over all pulls (dockerd's max-concurrent-downloads). */
    private final Semaphore downloads;
    private volatile State state;
    /** Told of each layer a pull has downloaded, converted and verified: diffId and disk. */
    private volatile java.util.function.BiConsumer<String, Path> layerReady = (diffId, disk) -> { };

    public ImageStore(Path root) throws IOException {
        this(root, 3);
    }

    /** @param maxConcurrentDownloads layers downloaded at once, over all pulls */
    public ImageStore(Path root, int maxConcurrentDownloads) throws IOException {
        if (maxConcurrentDownloads < 1) {
            throw new IllegalArgumentException("max-concurrent-downloads must be at least 1, not "
                    + maxConcurrentDownloads);
        }
        this.downloads = new Semaphore(maxConcurrentDownloads);
        this.root = Files.createDirectories(root);
        this.blobs = new BlobStore(root);
        this.disks = new LayerDisks(root.resolve("disks"), blobs.tmpDir());
        ImageDb db = ImageDb.load(root);
        Map<String, ConfigJson.Parsed> configs = new HashMap<>();
        for (var e : db.images().entrySet()) {
            String id = e.getKey();
            boolean complete = blobs.exists(id) && e.getValue().stream().allMatch(l -> blobs.exists(l.blob()));
            if (complete) {
                try {
                    configs.put(id, ConfigJson.parse(blobs.read(id, ConfigJson.MAX_JSON)));
                } catch (IOException broken) {
                    complete = false;
                }
            }
            if (!complete) {
                db = db.without(id); // its blobs are gone: drop it rather than fail every lookup
            }
        }
        Repositories repos = Repositories.load(root);
        for (var e : repos.refs().entrySet()) {
            if (!configs.containsKey(e.getValue())) {
                repos = repos.without(e.getKey());
            }
        }
        this.state = new State(db, repos, Map.copyOf(configs));
        collectOrphans();
    }

    // ---- reads

    /** All images, newest first. */
    public List<Image> list() {
        State s = state;
        return s.db().images().keySet().stream().map(id -> image(s, id))
                .sorted(Comparator.comparing(Image::created).reversed().thenComparing(Image::id)).toList();
    }

    /**
     * By name[:tag] or name@digest (normalised as Docker does), full id ("sha256:<hex>"), bare hex
     * id, or an unambiguous id prefix of at least 4 hex digits. Names win over id prefixes.
     */
    public Image resolve(String ref) throws EngineException {
        State s = state;
        return image(s, find(s, ref).id());
    }

    // ---- docker load

    /**
     * docker load: a docker-save archive (either layout) or an OCI image layout, plain or
     * compressed. All or nothing: a bad archive stores no image and leaves no blob behind.
     *
     * @return per image, its tags ("busybox:latest"), or its id if it has none
     */
    public List<String> load(InputStream archive, Consumer<String> progress) throws EngineException, IOException {
        ArchiveLoader loader = new ArchiveLoader(blobs, progress);
        try {
            List<ArchiveLoader.Candidate> candidates = loader.load(archive);
            mutations.lock();
            try {
                State s = state;
                ImageDb db = s.db();
                Repositories repos = s.repos();
                Map<String, ConfigJson.Parsed> configs = new HashMap<>(s.configs());
                List<String> loaded = new ArrayList<>();
                for (ArchiveLoader.Candidate c : candidates) {
                    db = db.with(c.id(), c.layers());
                    configs.put(c.id(), c.config());
                    for (String tag : c.tags()) {
                        repos = retag(repos, tag, c.id(), progress);
                    }
                    loaded.addAll(c.tags().isEmpty() ? List.of(c.id()) : c.tags());
                }
                commit(s, new State(db, repos, Map.copyOf(configs)));
                return List.copyOf(loaded);
            } finally {
                mutations.unlock();
            }
        } finally {
            release(loader.pins());
        }
    }

    // ---- docker pull

    /**
     * docker pull of {@code ref} from {@code registries}, with Docker's progress. All or nothing: a failed
     * pull stores no image and, once done, no blob or disk.
     *
     * @param platform null for the host's
     * @return the image id
     */
    public String pull(RegistryClient registries, String ref, String platform, Credentials credentials,
                       Progress progress) throws EngineException, IOException {
        return Pull.pull(this, registries, ref, platform, credentials, progress);
    }

    // ---- docker push

    /**
     * docker push of {@code name:tag} (tag "latest" when empty) to its registry, with Docker's progress.
     *
     * @return the manifest digest the registry now has under the tag
     */
    public String push(RegistryClient registries, String name, String tag, Credentials credentials,
                       Progress progress) throws EngineException, IOException {
        return Push.push(this, registries, name, tag, credentials, progress);
    }

    // ---- users

    private final ImageAccounts accounts = new ImageAccounts(this);

    /** Image {@code id}'s /etc/passwd and /etc/group, for a user given by name (see {@link ImageAccounts}). */
    public dev.skiff.engine.container.Accounts accounts(String id) throws EngineException, IOException {
        return accounts.of(id);
    }

    /** A folder for short-lived scratch files, on the store's file system. */
    Path scratchDir() {
        return blobs.tmpDir();
    }

    // ---- volumes

    /**
     * Copies what image {@code id} has at {@code containerPath} into {@code target} (an empty volume's folder),
     * as Docker fills a new volume from the image; nothing if the image has nothing there.
     */
    public void copyPath(String id, String containerPath, Path target) throws EngineException, IOException {
        List<String> pins = pinImage(id, "copy from");
        try {
            PathCopy copy = new PathCopy(containerPath, target);
            for (ImageDb.Layer l : state.db().images().get(id)) {
                copy.apply(blobs.path(l.blob()));
            }
        } finally {
            release(pins);
        }
    }

    /**
     * Commits a new image whose blobs the caller has pinned: its layers, its config, and the references that name it
     * (each taken from any image it named before).
     */
    Image commitImage(String id, List<ImageDb.Layer> layers, ConfigJson.Parsed config, List<String> refs,
                      Consumer<String> progress) throws IOException {
        mutations.lock();
        try {
            State s = state;
            Repositories repos = s.repos();
            for (String ref : refs) {
                repos = retag(repos, ref, id, progress);
            }
            Map<String, ConfigJson.Parsed> configs = new HashMap<>(s.configs());
            configs.put(id, config);
            State next = new State(s.db().with(id, List.copyOf(layers)), repos, Map.copyOf(configs));
            commit(s, next);
            return image(next, id);
        } finally {
            mutations.unlock();
        }
    }

    BlobStore blobs() {
        return blobs;
    }

    LayerDisks disks() {
        return disks;
    }

    Semaphore downloads() {
        return downloads;
    }

    // ---- docker save

    /**
     * docker save: the images {@code names} name, in a docker-save archive written to {@code out}. A name without a
     * tag ("busybox") saves every tag of that repository, as Docker does; an id saves the image with no tags.
     */
    public void save(List<String> names, OutputStream out) throws EngineException, IOException {
        ArchiveSaver.save(this, names, out);
    }

    // ---- for the operations in their own classes (Pull, Push, ArchiveSaver)

    /** What readers see now. */
    State state() {
        return state;
    }

    /** The image a reference names in {@code s}: see {@link #resolve}. */
    static Match match(State s, String ref) throws EngineException {
        return find(s, ref);
    }

    /**
     * Pins the config and layer blobs of image {@code id} for an operation ({@code what} words the error), which
     * must {@link #release} the returned pins.
     */
    List<String> pinImage(String id, String what) throws EngineException {
        List<ImageDb.Layer> layers = state.db().images().get(id);
        if (layers == null) {
            throw notFound(id);
        }
        List<String> pins = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        wanted.add(id);
        layers.forEach(l -> wanted.add(l.blob()));
        for (String blob : wanted) {
            if (!blobs.pinIfExists(blob)) {
                release(pins);
                throw new EngineException(EngineException.Kind.INTERNAL, "cannot " + what + " " + id + ": its blob "
                        + blob + " is missing from the image store; pull or load the image again");
            }
            pins.add(blob);
        }
        return pins;
    }

    /** Records {@code ref} (a "name@sha256:..." after a push) as a name of image {@code id}, if it still exists. */
    void addReference(String ref, String id) throws IOException {
        mutations.lock();
        try {
            State now = state;
            if (now.db().images().containsKey(id)) {
                commit(now, new State(now.db(), now.repos().with(ref, id), now.configs()));
            }
        } finally {
            mutations.unlock();
        }
    }

    // ---- docker import

    /**
     * docker import: a rootfs tar (plain, gzip or zstd) becomes a one-layer linux/amd64 image,
     * tagged {@code ref} if given. {@code changes}: Dockerfile instruction &rarr; its arguments
     * (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE).
     */
    public Image importRootfs(InputStream tar, String ref, Map<String, String> changes, Consumer<String> progress)
            throws EngineException, IOException {
        return Import.rootfs(this, tar, ref, changes, progress);
    }

    // ---- docker tag

    /** docker tag: {@code target} (name:tag) now names the image {@code source} names. */
    public void tag(String source, String target) throws EngineException, IOException {
        Image image = resolve(source);
        Reference ref = Reference.parse(target);
        if (ref.digest() != null) {
            throw invalid("refusing to create a tag with a digest reference: " + target);
        }
        mutations.lock();
        try {
            State s = state;
            if (!s.configs().containsKey(image.id())) {
                throw EngineException.notFound("No such image: " + source);
            }
            commit(s, new State(s.db(), retag(s.repos(), ref.familiar(), image.id(), m -> { }), s.configs()));
        } finally {
            mutations.unlock();
        }
    }

    // ---- docker rmi

    /**
     * docker rmi. By a name that is one of several references: untag only. By its last name, or
     * by id: untag all and delete, unless a container uses it ({@code inUse}, called with the
     * store's lock held: it must not call back into the store's mutating methods) and
     * {@code !force}: CONFLICT. With {@code force}, an image in use loses its tags but stays (as
     * Docker does for running containers). Blobs and disks no image references any more go too.
     */
    public List<Map<String, String>> remove(String ref, boolean force, Predicate<String> inUse)
            throws EngineException {
        mutations.lock();
        try {
            State s = state;
            Match m = find(s, ref);
            String id = m.id();
            String shortId = ArchiveLoader.short12(id);
            List<String> refs = new ArrayList<>(s.repos().tags(id));
            refs.addAll(s.repos().digests(id));
            List<Map<String, String>> out = new ArrayList<>();
            if (m.ref() != null) {
                // As dockerd: the reference goes, and with a tag's last removal the digests of its repository too
                // (a pulled image's RepoDigest must not keep it alive); if other references remain, that is all.
                List<String> going = new ArrayList<>(List.of(m.ref()));
                Reference named = Reference.tryParse(m.ref());
                if (named != null && named.tag() != null && refs.stream().noneMatch(r -> !r.equals(m.ref())
                        && !r.contains("@") && sameRepository(r, named))) {
                    refs.stream().filter(r -> r.contains("@") && sameRepository(r, named)).forEach(going::add);
                }
                if (refs.size() > going.size()) {
                    Repositories repos = s.repos();
                    for (String r : going) {
                        repos = repos.without(r);
                        out.add(Map.of("Untagged", r));
                    }
                    commit(s, new State(s.db(), repos, s.configs()));
                    return List.copyOf(out);
                }
            }
            boolean used = inUse.test(id);
            if (!force) {
                if (m.ref() != null && used) {
                    throw EngineException.conflict("conflict: unable to remove repository reference \"" + ref
                            + "\" (must force) - a container is using its referenced image " + shortId);
                }
                if (m.ref() == null && refs.size() > 1 && !singleReference(refs)) {
                    throw EngineException.conflict("conflict: unable to delete " + shortId
                            + " (must be forced) - image is referenced in multiple repositories");
                }
                if (used) {
                    throw EngineException.conflict("conflict: unable to delete " + shortId
                            + " (must be forced) - image is being used by a container");
                }
            }
            Repositories repos = s.repos();
            for (String r : refs) {
                repos = repos.without(r);
                out.add(Map.of("Untagged", r));
            }
            ImageDb db = s.db();
            Map<String, ConfigJson.Parsed> configs = s.configs();
            if (!used) {
                db = db.without(id);
                configs = new HashMap<>(configs);
                configs.remove(id);
                out.add(Map.of("Deleted", id));
            }
            State next = new State(db, repos, Map.copyOf(configs));
            commit(s, next);
            if (!used) {
                collect(s, next);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "failed to remove image " + ref + ": "
                    + e.getMessage(), e);
        } finally {
            mutations.unlock();
        }
    }

    /** moby's isSingleReference: at most one tag, and every reference in one repository (a tag and its digests). */
    private static boolean singleReference(List<String> refs) {
        long tags = refs.stream().filter(r -> !r.contains("@")).count();
        long repositories = refs.stream().map(Reference::tryParse).filter(java.util.Objects::nonNull)
                .map(Reference::name).distinct().count();
        return tags <= 1 && repositories == 1;
    }

    private static boolean sameRepository(String ref, Reference named) {
        Reference r = Reference.tryParse(ref);
        return r != null && r.name().equals(named.name());
    }

    // ---- layers

    /**
     * Whom to tell of each layer a pull has ready (downloaded, converted, verified), before the
     * pull's other layers and its image are: the engine plugs it into the running shared VM then,
     * so that a {@code docker run} after the pull finds its layers there. Must not block.
     */
    public void onLayerReady(java.util.function.BiConsumer<String, Path> listener) {
        this.layerReady = listener;
    }

    /** A pull has {@code diffId}'s disk complete and verified. */
    void layerReady(String diffId) {
        try {
            layerReady.accept(diffId, disks.path(diffId));
        } catch (RuntimeException e) {
            // only a hint for the placement: the image does not depend on it
            LOG.log(Level.WARNING, "after layer " + diffId + " arrived", e);
        }
    }

    /**
     * Whether the layer ("sha256:<hex>") has left the store: no image has it and its disk is
     * deleted. A pull in flight has a layer's disk (plugged ahead into the shared VM) before it
     * has the image. Thread-safe; never waits for a mutation.
     */
    public boolean layerGone(String diffId) {
        for (List<ImageDb.Layer> layers : state.db().images().values()) {
            for (ImageDb.Layer l : layers) {
                if (l.diffId().equals(diffId)) {
                    return false;
                }
            }
        }
        return !Files.exists(disks.path(diffId));
    }

    /** The EROFS disk of a layer ("sha256:<hex>" or bare hex), built on first use; thread-safe. */
    public Path layerDisk(String diffId) throws IOException {
        String d = diffId.startsWith("sha256:") ? diffId : "sha256:" + diffId;
        if (!FULL_ID.matcher(d).matches()) {
            throw new IllegalArgumentException("not a layer digest: " + diffId);
        }
        String blob = null;
        for (List<ImageDb.Layer> layers : state.db().images().values()) {
            for (ImageDb.Layer l : layers) {
                if (l.diffId().equals(d)) {
                    blob = l.blob();
                }
            }
        }
        if (blob == null || !blobs.pinIfExists(blob)) {
            throw new NoSuchFileException("no layer " + d + " in the image store at " + root);
        }
        try {
            return disks.get(d, blobs.path(blob));
        } finally {
            blobs.unpin(blob);
        }
    }

    /** How many layer disks this instance has built (tests). */
    int diskBuilds() {
        return disks.builds();
    }

    // ---- the built-in image

    /**
     * The built-in default image: imports busybox (from Debian's busybox-static, fetched into
     * {@code cacheRoot}) as busybox:latest with CMD ["sh"], unless busybox:latest exists.
     */
    public Image ensureBusybox(Path cacheRoot, Consumer<String> progress) throws IOException {
        return ensureBusybox(cacheRoot, List.of(), progress);
    }

    /** As {@link #ensureBusybox(Path, Consumer)}, reusing busybox-static from {@code sharedCaches}, read-only. */
    public Image ensureBusybox(Path cacheRoot, List<Path> sharedCaches, Consumer<String> progress) throws IOException {
        busybox.lock();
        try {
            String id = state.repos().refs().get(BUSYBOX);
            if (id != null) {
                return image(state, id);
            }
            Path binary = BusyboxRootfs.busyboxBinary(cacheRoot, sharedCaches, progress);
            Path tar = blobs.tempFile(".tar");
            try {
                try (OutputStream out = Files.newOutputStream(tar)) {
                    BusyboxRootfs.writeTar(binary, out);
                }
                Map<String, String> changes = new LinkedHashMap<>();
                changes.put("ENV", DEFAULT_PATH);
                changes.put("CMD", "[\"sh\"]");
                try (InputStream in = Files.newInputStream(tar)) {
                    return importRootfs(in, BUSYBOX, changes, progress);
                } catch (EngineException e) {
                    throw new IOException("failed to import the built-in busybox image: " + e.getMessage(), e);
                }
            } finally {
                Files.deleteIfExists(tar);
            }
        } finally {
            busybox.unlock();
        }
    }

    // ---- internals

    /** The image a reference names; {@code ref} is the matched repositories.json key, or null if by id. */
    record Match(String id, String ref) {}

    private static Match find(State s, String ref) throws EngineException {
        String r = ref == null ? "" : ref.strip();
        if (FULL_ID.matcher(r).matches()) {
            if (s.db().images().containsKey(r)) {
                return new Match(r, null);
            }
            throw notFound(ref);
        }
        Reference named = Reference.tryParse(r);
        if (named != null) {
            String id = s.repos().refs().get(named.familiar());
            if (id != null) {
                return new Match(id, named.familiar());
            }
        }
        var prefix = ID_PREFIX.matcher(r);
        if (prefix.matches()) {
            List<String> ids = s.db().images().keySet().stream()
                    .filter(id -> id.startsWith("sha256:" + prefix.group(1))).toList();
            if (ids.size() == 1) {
                return new Match(ids.getFirst(), null);
            }
            if (ids.size() > 1) {
                throw EngineException.notFound("No such image: " + ref + " (the id prefix matches " + ids.size()
                        + " images; give more digits)");
            }
        }
        throw notFound(ref);
    }

    private static EngineException notFound(String ref) {
        return EngineException.notFound("No such image: " + ref);
    }

    private static Image image(State s, String id) {
        ConfigJson.Parsed c = s.configs().get(id);
        List<ImageDb.Layer> layers = s.db().images().get(id);
        long size = layers.stream().mapToLong(ImageDb.Layer::size).sum();
        return new Image(id, s.repos().tags(id), s.repos().digests(id), c.created(), size, c.os(), c.architecture(),
                c.config(), layers.stream().map(ImageDb.Layer::diffId).toList());
    }

    /** Points {@code tag} at {@code id}; an image it is taken from keeps its other names, or none. */
    private static Repositories retag(Repositories repos, String tag, String id, Consumer<String> progress) {
        String old = repos.refs().get(tag);
        if (old != null && !old.equals(id)) {
            progress.accept("The image " + tag + " already exists, renaming the old one with ID " + old
                    + " to empty string");
        }
        return repos.with(tag, id);
    }

    /** Saves what changed (images.json first) and publishes the new state. Holds {@link #mutations}. */
    private void commit(State before, State after) throws IOException {
        if (!before.db().equals(after.db())) {
            after.db().save(root);
        }
        if (!before.repos().equals(after.repos())) {
            after.repos().save(root);
        }
        state = after;
    }

    /**
     * After a failed pull: the disks of its finished layers that no image uses. (A pull that took the same layer as
     * "Already exists" meanwhile rebuilds the disk from the blob on first use.)
     */
    void dropUnusedDisks(List<String> diffIds) {
        mutations.lock();
        try {
            Set<String> used = referencedLayers(state);
            for (String d : diffIds) {
                if (!used.contains(d)) {
                    try {
                        disks.delete(d);
                    } catch (IOException e) {
                        // the orphan sweep of the next start takes it
                    }
                }
            }
        } finally {
            mutations.unlock();
        }
    }

    /** Unpins an operation's blobs and deletes those that no image references (never fails: see the sweep). */
    void release(List<String> pins) {
        if (pins.isEmpty()) {
            return;
        }
        mutations.lock();
        try {
            pins.forEach(blobs::unpin);
            Set<String> referenced = referencedBlobs(state);
            for (String d : new LinkedHashSet<>(pins)) {
                if (!referenced.contains(d)) {
                    try {
                        blobs.deleteUnlessPinned(d);
                    } catch (IOException e) {
                        // left for the orphan sweep of the next start; the operation itself is done
                    }
                }
            }
        } finally {
            mutations.unlock();
        }
    }

    /** After a delete: the blobs and disks of {@code before} that {@code after} no longer references. */
    private void collect(State before, State after) throws IOException {
        Set<String> keepBlobs = referencedBlobs(after);
        Set<String> keepLayers = referencedLayers(after);
        for (String d : referencedBlobs(before)) {
            if (!keepBlobs.contains(d)) {
                blobs.deleteUnlessPinned(d);
            }
        }
        for (String diffId : referencedLayers(before)) {
            if (!keepLayers.contains(diffId)) {
                disks.delete(diffId);
            }
        }
    }

    /** At open: blobs and disks no image references (a crash between storing and committing). */
    private void collectOrphans() throws IOException {
        Set<String> keep = referencedBlobs(state);
        try (DirectoryStream<Path> all = Files.newDirectoryStream(root.resolve("blobs").resolve("sha256"))) {
            for (Path p : all) {
                String d = "sha256:" + p.getFileName();
                if (!keep.contains(d)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        disks.retainOnly(referencedLayers(state));
    }

    private static Set<String> referencedBlobs(State s) {
        Set<String> out = new HashSet<>();
        s.db().images().forEach((id, layers) -> {
            out.add(id);
            layers.forEach(l -> out.add(l.blob()));
        });
        return out;
    }

    private static Set<String> referencedLayers(State s) {
        Set<String> out = new HashSet<>();
        s.db().images().values().forEach(layers -> layers.forEach(l -> out.add(l.diffId())));
        return out;
    }
}
