package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.skiff.registry.Credentials;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/** {@code /images/...}: list, inspect, load, import, pull, remove; and {@code /auth} (docker login). */
final class ImageRoutes {
    private final Backend backend;

    ImageRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("GET", "/images/json", this::list)
                .add("POST", "/images/load", this::load)
                .add("POST", "/images/create", this::create)
                .add("POST", "/images/prune", this::prune)
                .add("GET", "/images/get", ex -> save(ex, ex.queryAll("names")))
                .add("GET", "/images/{name*}/get", ex -> save(ex, List.of(ex.path("name"))))
                .add("GET", "/images/{name*}/json", this::inspect)
                .add("POST", "/images/{name*}/tag", this::tag)
                .add("POST", "/images/{name*}/push", this::push)
                .add("DELETE", "/images/{name*}", this::remove)
                .add("POST", "/auth", this::login);
    }

    /** docker images: with dangling, label, reference, before and since filters, as dockerd has them. */
    private void list(Exchange ex) throws EngineException, IOException {
        var f = Filters.parse(ex.query("filters"), java.util.Set.of("dangling", "label", "reference", "before",
                "since", "until"));
        List<Backend.ImageSummary> all = backend.images();
        java.time.Instant before = f.containsKey("before") ? backend.inspectImage(f.get("before").getFirst())
                .summary().created() : null;
        java.time.Instant since = f.containsKey("since") ? backend.inspectImage(f.get("since").getFirst())
                .summary().created() : null;
        java.time.Instant until = f.containsKey("until") ? Filters.until(f.get("until").getFirst()) : null;
        List<java.nio.file.PathMatcher> references = new java.util.ArrayList<>();
        for (String r : f.getOrDefault("reference", List.of())) {
            references.add(glob(r));
        }
        for (String d : f.getOrDefault("dangling", List.of())) {
            if (!java.util.Set.of("true", "false", "1", "0").contains(d)) {
                throw EngineException.invalid("invalid filter 'dangling=" + d + "'");
            }
        }
        ArrayNode list = Json.array();
        for (Backend.ImageSummary listed : all) {
            boolean dangling = listed.repoTags().isEmpty();
            Backend.ImageSummary image = references.isEmpty() ? listed : named(listed, references);
            if (f.getOrDefault("dangling", List.of()).stream().anyMatch(d -> (d.equals("true") || d.equals("1")) != dangling)
                    || !dev.skiff.engine.network.LabelFilter.matches(listed.labels(), f.getOrDefault("label", List.of()))
                    || image == null
                    || before != null && !image.created().isBefore(before)
                    || since != null && !image.created().isAfter(since)
                    || until != null && !image.created().isBefore(until)) {
                continue;
            }
            list.add(ImageJson.summary(image));
        }
        ex.response().sendJson(200, list);
    }

    /** reference=PATTERN: a glob over "name:tag" (and "name" alone), as Docker's path.Match of the familiar name. */
    private static java.nio.file.PathMatcher glob(String pattern) throws EngineException {
        try {
            return java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw EngineException.invalid("invalid filter 'reference=" + pattern + "': " + e.getDescription());
        }
    }

    /**
     * The image under the names of it that a reference pattern matches, as dockerd lists it (moby's
     * Images skips each reference that no pattern matches); null when none does.
     */
    private static Backend.ImageSummary named(Backend.ImageSummary image, List<java.nio.file.PathMatcher> patterns) {
        List<String> tags = image.repoTags().stream().filter(t -> matches(t, t.lastIndexOf(':'), patterns)).toList();
        List<String> digests = image.repoDigests().stream().filter(d -> matches(d, d.indexOf('@'), patterns)).toList();
        return tags.isEmpty() && digests.isEmpty() ? null : new Backend.ImageSummary(image.id(), tags, digests,
                image.created(), image.size(), image.labels());
    }

    /** Whether a pattern matches the reference or its name alone (what precedes {@code nameEnd}). */
    private static boolean matches(String ref, int nameEnd, List<java.nio.file.PathMatcher> patterns) {
        java.nio.file.Path whole = java.nio.file.Path.of(ref);
        java.nio.file.Path name = java.nio.file.Path.of(nameEnd < 0 ? ref : ref.substring(0, nameEnd));
        return patterns.stream().anyMatch(m -> m.matches(whole) || m.matches(name));
    }

    private void inspect(Exchange ex) throws EngineException, IOException {
        ex.response().sendJson(200, ImageJson.inspect(backend.inspectImage(ex.path("name"))));
    }

    /** docker load: the body is the archive; the reply names what was loaded, as dockerd words it. */
    private void load(Exchange ex) throws EngineException, IOException {
        boolean quiet = ex.queryBool("quiet");
        JsonMessageStream.serve(ex.response(), "load images", messages -> {
            List<String> names = backend.loadImages(ex.request().body(), line -> {
                if (!quiet) {
                    messages.streamUnchecked(line.endsWith("\n") ? line : line + "\n");
                }
            });
            for (String name : names) {
                messages.stream(name.startsWith("sha256:") ? "Loaded image ID: " + name + "\n"
                        : "Loaded image: " + name + "\n");
            }
        });
    }

    /** POST /images/create is docker import (fromSrc=-) or docker pull (fromImage=). */
    private void create(Exchange ex) throws EngineException, IOException {
        String fromImage = ex.query("fromImage");
        String fromSrc = ex.query("fromSrc");
        if (fromImage != null && !fromImage.isEmpty()) {
            pull(ex, fromImage);
            return;
        }
        if (fromSrc == null || fromSrc.isEmpty()) {
            throw EngineException.invalid("POST /images/create needs fromImage= (pull) or fromSrc=- (import)");
        }
        if (!fromSrc.equals("-")) {
            throw EngineException.invalid("failed to import " + fromSrc
                    + ": Skiff imports only from the request body (fromSrc=-), not from a URL");
        }
        String[] repoTag = ImageJson.repoAndTag(ex.query("repo"), ex.query("tag"));
        Map<String, String> changes = ImageJson.changes(ex.queryAll("changes"));
        JsonMessageStream.serve(ex.response(), "import image", messages -> {
            String id = backend.importImage(ex.request().body(), repoTag[0], repoTag[1], changes,
                    messages::statusUnchecked);
            messages.status(id);
        });
    }

    /**
     * docker pull: {@code tag} holds a tag or a digest (the CLI splits "name@sha256:..." that way), {@code platform}
     * is --platform, {@code X-Registry-Auth} the credentials the CLI found for the registry.
     */
    private void pull(Exchange ex, String fromImage) throws EngineException, IOException {
        String tag = ex.query("tag");
        String ref = fromImage;
        if (tag != null && !tag.isEmpty() && !fromImage.contains("@")) {
            ref = fromImage + (tag.startsWith("sha256:") ? "@" : ":") + tag;
        }
        String image = ref;
        String auth = ex.request().header("X-Registry-Auth");
        JsonMessageStream.serve(ex.response(), "pull " + image, messages ->
                backend.pullImage(image, ex.query("platform"), auth, messages.progress()));
    }

    /** docker push: the stream ends with "TAG: digest: sha256:... size: N" and an aux message, as dockerd's. */
    private void push(Exchange ex) throws EngineException, IOException {
        String name = ex.path("name");
        String auth = ex.request().header("X-Registry-Auth");
        JsonMessageStream.serve(ex.response(), "push " + name, messages ->
                backend.pushImage(name, ex.query("tag"), auth, messages.progress()));
    }

    /** docker save: a tar, streamed; the reply starts with the first byte, after every name resolved. */
    private void save(Exchange ex, List<String> names) throws EngineException, IOException {
        if (names.isEmpty()) {
            throw EngineException.invalid("docker save needs at least one image name (names=)");
        }
        OutputStream body = new OutputStream() {
            private OutputStream chunks;

            private OutputStream chunks() throws IOException {
                if (chunks == null) {
                    chunks = ex.response().startChunked(200, "application/x-tar");
                }
                return chunks;
            }

            @Override
            public void write(int b) throws IOException {
                chunks().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                chunks().write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                chunks().close();
            }
        };
        backend.saveImages(names, body);
        body.close();
    }

    /**
     * docker image prune: unused images, only untagged ("dangling") ones unless dangling=false (-a), with the label
     * and until filters; the reply lists what was untagged and deleted, as dockerd's does.
     */
    private void prune(Exchange ex) throws EngineException, IOException {
        var f = Filters.parse(ex.query("filters"), java.util.Set.of("dangling", "label", "label!", "until"));
        boolean danglingOnly = f.getOrDefault("dangling", List.of("true")).stream()
                .noneMatch(d -> d.equals("false") || d.equals("0"));
        java.time.Instant until = f.containsKey("until") ? Filters.until(f.get("until").getFirst()) : null;
        java.util.Set<String> used = new java.util.HashSet<>();
        backend.listContainers(true).forEach(c -> used.add(c.imageId()));
        ArrayNode deleted = Json.array();
        for (Backend.ImageSummary image : backend.images()) {
            boolean dangling = image.repoTags().isEmpty();
            boolean labelled = dev.skiff.engine.network.LabelFilter.matches(image.labels(),
                    f.getOrDefault("label", List.of())) && f.getOrDefault("label!", List.of()).stream()
                    .noneMatch(l -> dev.skiff.engine.network.LabelFilter.matches(image.labels(), List.of(l)));
            if ((dangling || !danglingOnly) && labelled && !used.contains(image.id())
                    && (until == null || image.created().isBefore(until))) {
                try {
                    for (Map<String, String> line : backend.removeImage(image.id(), true)) {
                        deleted.add(Json.object(line));
                    }
                } catch (EngineException e) {
                    if (e.kind() != EngineException.Kind.NOT_FOUND && e.kind() != EngineException.Kind.CONFLICT) {
                        throw e; // removed or taken into use meanwhile: not this prune's
                    }
                }
            }
        }
        var reply = Json.object();
        reply.set("ImagesDeleted", deleted);
        reply.put("SpaceReclaimed", 0);
        ex.response().sendJson(200, reply);
    }

    /** docker login: the daemon checks the credentials with the registry; the CLI stores them. */
    private void login(Exchange ex) throws EngineException, IOException {
        var body = ex.readJson();
        Credentials credentials = new Credentials(blankToNull(Json.text(body, "username")),
                blankToNull(Json.text(body, "password")), blankToNull(Json.text(body, "identitytoken")),
                blankToNull(Json.text(body, "registrytoken")), blankToNull(Json.text(body, "serveraddress")));
        String token = backend.login(credentials);
        ex.response().sendJson(200, Json.object().put("Status", "Login Succeeded")
                .put("IdentityToken", token == null ? "" : token));
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** docker tag: 201 with no body, as dockerd answers. */
    private void tag(Exchange ex) throws EngineException, IOException {
        String repo = ex.query("repo");
        if (repo == null || repo.isEmpty()) {
            throw EngineException.invalid("repository name must have at least one component");
        }
        backend.tagImage(ex.path("name"), repo, ex.query("tag"));
        ex.response().sendEmpty(201);
    }

    private void remove(Exchange ex) throws EngineException, IOException {
        ArrayNode deleted = Json.array();
        for (Map<String, String> line : backend.removeImage(ex.path("name"), ex.queryBool("force"))) {
            deleted.add(Json.object(line));
        }
        ex.response().sendJson(200, deleted);
    }
}
