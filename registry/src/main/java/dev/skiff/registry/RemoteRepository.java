package dev.skiff.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.skiff.registry.RegistryException.Kind.INVALID;
import static dev.skiff.registry.RegistryException.Kind.NOT_FOUND;
import static dev.skiff.registry.RegistryException.Kind.UNREACHABLE;

/**
 * A {@link Repository} on its endpoints (for a Docker Hub pull: the mirrors, then the Hub). The endpoint that
 * answered last is tried first; a mirror's failure falls through to the next endpoint.
 */
final class RemoteRepository implements Repository {
    /** distribution-spec's repository name grammar. */
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    /** Indexes inside indexes are allowed; a chain deeper than this is a loop or an attack. */
    static final int MAX_INDEX_DEPTH = 4;

    private final ClientContext ctx;
    private final String registry;
    private final String path;
    private final String name;
    private final boolean push;
    private final List<String> scopes;
    private final List<Session> sessions;
    private volatile Session preferred;

    RemoteRepository(ClientContext ctx, String registry, String path, Credentials creds, boolean push) {
        this.ctx = ctx;
        this.registry = registry;
        this.path = path;
        this.name = Endpoints.displayName(registry, path);
        this.push = push;
        this.scopes = List.of("repository:" + path + (push ? ":pull,push" : ":pull"));
        Credentials c = creds == null ? Credentials.ANONYMOUS : creds;
        this.sessions = ctx.endpoints.forRegistry(registry, push).stream().map(e -> new Session(ctx, e, c)).toList();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String registry() {
        return registry;
    }

    /** One operation on one endpoint. */
    @FunctionalInterface
    private interface Op<T> {
        T run(Session s) throws RegistryException;
    }

    /** Runs {@code op} on the preferred endpoint, then the others in order; only mirrors fall through. */
    private <T> T onEndpoints(Op<T> op) throws RegistryException {
        if (!NAME.matcher(path).matches() || path.length() > 255) {
            throw new RegistryException(INVALID, "invalid reference format: repository name (" + path
                    + ") must be lowercase and match [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*(/...)*");
        }
        List<Session> order = new ArrayList<>(sessions);
        Session p = preferred;
        if (p != null) {
            order.remove(p);
            order.addFirst(p);
        }
        RegistryException mirrorFailure = null;
        for (Session s : order) {
            try {
                T t = op.run(s);
                preferred = s;
                return t;
            } catch (RegistryException e) {
                if (!s.endpoint().mirror()) {
                    if (mirrorFailure != null) {
                        e.addSuppressed(mirrorFailure);
                    }
                    throw e;
                }
                mirrorFailure = e;
            }
        }
        throw mirrorFailure;
    }

    @Override
    public ResolvedManifest resolve(String tagOrDigest, Platform platform) throws RegistryException {
        boolean byDigest = tagOrDigest != null && tagOrDigest.contains(":");
        if (byDigest) {
            Digests.require(tagOrDigest, name);
        } else if (tagOrDigest == null || !TAG.matcher(tagOrDigest).matches()) {
            throw new RegistryException(INVALID, "invalid reference format: tag \"" + tagOrDigest + "\" of " + name);
        }
        Platform want = platform == null ? Platform.host() : platform;
        String ref = (byDigest ? "@" : ":") + tagOrDigest;
        return onEndpoints(s -> {
            Fetched top = fetchManifest(s, tagOrDigest, ref);
            ManifestParser.Parsed parsed = ManifestParser.parse(top.contentType, top.bytes, name);
            if (parsed instanceof ManifestParser.Image(ImageManifest m)) {
                return new ResolvedManifest(top.digest, top.digest, top.bytes, m, null);
            }
            Selected chosen = select(s, (ManifestParser.Index) parsed, want, 1);
            if (chosen == null) {
                throw new RegistryException(NOT_FOUND, "no matching manifest for " + want
                        + " in the manifest list entries");
            }
            return new ResolvedManifest(top.digest, chosen.fetched.digest, chosen.fetched.bytes, chosen.manifest,
                    chosen.platform);
        });
    }

    private record Fetched(String contentType, byte[] bytes, String digest) {}

    private record Selected(Fetched fetched, ImageManifest manifest, Platform platform) {}

    /** The first candidate of the index that is an image for {@code want}, looking into nested indexes. */
    private Selected select(Session s, ManifestParser.Index index, Platform want, int depth) throws RegistryException {
        for (ManifestParser.Entry e : IndexSelector.candidates(index.entries(), want)) {
            Descriptor d = e.descriptor();
            Fetched f = fetchManifest(s, d.digest(), "@" + d.digest());
            if (f.bytes.length != d.size()) {
                throw new RegistryException(INVALID, "manifest " + d.digest() + " of " + name + " is "
                        + f.bytes.length + " bytes, but the index says " + d.size());
            }
            ManifestParser.Parsed p = ManifestParser.parse(f.contentType, f.bytes, name);
            switch (p) {
                case ManifestParser.Image(ImageManifest m) when e.isManifest() -> {
                    return new Selected(f, m, Platform.normalise(e.platform().os(), e.platform().architecture(),
                            e.platform().variant()));
                }
                case ManifestParser.Index nested when e.isIndex() -> {
                    if (depth >= MAX_INDEX_DEPTH) {
                        throw new RegistryException(INVALID, "the manifest lists of " + name + " nest deeper than "
                                + MAX_INDEX_DEPTH);
                    }
                    Selected inner = select(s, nested, want, depth + 1);
                    if (inner != null) {
                        return inner;
                    }
                }
                default -> throw new RegistryException(INVALID, "manifest " + d.digest() + " of " + name
                        + " is not the " + d.mediaType() + " its index says");
            }
        }
        return null;
    }

    /**
     * GET of a manifest with the full Accept list, bounded, its sha256 checked against the digest asked for, or
     * for a tag against Docker-Content-Digest when the registry sends one.
     */
    private Fetched fetchManifest(Session s, String tagOrDigest, String ref) throws RegistryException {
        HttpResponse<InputStream> r = s.send("GET", "/v2/" + path + "/manifests/" + tagOrDigest,
                Map.of("Accept", ManifestParser.ACCEPT), null, scopes);
        if (r.statusCode() != 200) {
            throw ErrorBodies.forPull(name, ref, r.statusCode(), Session.errorBody(r));
        }
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        byte[] bytes;
        try (InputStream in = r.body()) {
            if (length > ManifestParser.MAX_MANIFEST) {
                throw tooBig(ref);
            }
            bytes = in.readNBytes(ManifestParser.MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw Transport.unreachable("GET", r.uri(), e);
        }
        if (bytes.length > ManifestParser.MAX_MANIFEST) {
            throw tooBig(ref);
        }
        String digest = Digests.of(bytes);
        String expected = tagOrDigest.contains(":") ? tagOrDigest
                : r.headers().firstValue("Docker-Content-Digest").filter(Digests::isSha256).orElse(null);
        if (expected != null && !expected.equals(digest)) {
            throw new RegistryException(INVALID, "manifest verification failed for digest " + expected + " ("
                    + name + ref + " has digest " + digest + ")");
        }
        return new Fetched(r.headers().firstValue("Content-Type").orElse(""), bytes, digest);
    }

    private RegistryException tooBig(String ref) {
        return new RegistryException(INVALID, "the manifest of " + name + ref + " is larger than "
                + ManifestParser.MAX_MANIFEST + " bytes");
    }

    @Override
    public byte[] readBlob(Descriptor blob, int limit) throws RegistryException {
        if (blob.size() > limit) {
            throw new RegistryException(INVALID, "blob " + blob.digest() + " of " + name + " is " + blob.size()
                    + " bytes, more than the " + limit + " allowed");
        }
        try (InputStream in = openBlob(blob, BlobListener.NONE)) {
            return in.readAllBytes();
        } catch (BlobStream.Fatal e) {
            throw new RegistryException(INVALID, e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException(UNREACHABLE, e.getMessage(), e);
        }
    }

    @Override
    public InputStream openBlob(Descriptor blob, BlobListener listener) throws RegistryException {
        Digests.require(blob.digest(), "a blob of " + name);
        if (blob.size() < 0) {
            throw new RegistryException(INVALID, "blob " + blob.digest() + " has a negative size");
        }
        return onEndpoints(s -> new BlobStream(ctx, blob, offset -> blobGet(s, blob, offset), listener).start());
    }

    private HttpResponse<InputStream> blobGet(Session s, Descriptor blob, long offset) throws RegistryException {
        Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        HttpResponse<InputStream> r = s.send("GET", blobPath(blob.digest()), headers, null, scopes);
        if (r.statusCode() == 200 || r.statusCode() == 206) {
            return r;
        }
        throw ErrorBodies.forBlob(name, blob.digest(), r.statusCode(), Session.errorBody(r));
    }

    @Override
    public boolean hasBlob(String digest) throws RegistryException {
        Digests.require(digest, "a blob of " + name);
        return onEndpoints(s -> {
            HttpResponse<InputStream> r = s.send("HEAD", blobPath(digest), Map.of(), null, scopes);
            Session.discard(r);
            return switch (r.statusCode()) {
                case 200 -> true;
                case 404 -> false;
                default -> throw push ? ErrorBodies.forPush(r.statusCode(), new byte[0])
                        : ErrorBodies.forBlob(name, digest, r.statusCode(), new byte[0]);
            };
        });
    }

    @Override
    public boolean mountBlob(String digest, String fromRepository) throws RegistryException {
        Digests.require(digest, "a blob of " + name);
        if (fromRepository == null || !NAME.matcher(fromRepository).matches()) {
            throw new RegistryException(INVALID, "invalid repository to mount from: \"" + fromRepository + "\"");
        }
        return onEndpoints(s -> new Uploads(s, path, scopes).mount(digest, fromRepository));
    }

    @Override
    public void pushBlob(Descriptor blob, BlobSource content, BlobListener listener) throws RegistryException {
        Digests.require(blob.digest(), "a blob to push to " + name);
        BlobListener l = listener == null ? BlobListener.NONE : listener;
        onEndpoints(s -> {
            new Uploads(s, path, scopes).push(blob, content, l);
            return null;
        });
    }

    @Override
    public String putManifest(String tagOrDigest, String mediaType, byte[] bytes) throws RegistryException {
        if (tagOrDigest.contains(":")) {
            Digests.require(tagOrDigest, "a manifest of " + name);
            if (!tagOrDigest.equals(Digests.of(bytes))) {
                throw new RegistryException(INVALID, "manifest bytes do not match the digest " + tagOrDigest);
            }
        } else if (!TAG.matcher(tagOrDigest).matches()) {
            throw new RegistryException(INVALID, "invalid reference format: tag \"" + tagOrDigest + "\" of " + name);
        }
        if (bytes.length > ManifestParser.MAX_MANIFEST) {
            throw new RegistryException(INVALID, "a manifest larger than " + ManifestParser.MAX_MANIFEST
                    + " bytes is refused by registries");
        }
        return onEndpoints(s -> new Uploads(s, path, scopes).putManifest(tagOrDigest, mediaType, bytes));
    }

    private String blobPath(String digest) {
        return "/v2/" + path + "/blobs/" + digest;
    }

    @Override
    public String toString() {
        return name;
    }
}
