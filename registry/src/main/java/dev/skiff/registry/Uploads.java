package dev.skiff.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static dev.skiff.registry.RegistryException.Kind.UNSUPPORTED;

/**
 * The push side of the distribution API (distribution-spec "Pushing blobs", "Mounting a blob from another
 * repository", "Pushing Manifests"): monolithic uploads (POST, then PUT {@code ?digest=}), cross-repository
 * mounts, and manifest PUTs.
 */
final class Uploads {
    private final Session session;
    private final String path;
    private final List<String> scopes;

    Uploads(Session session, String path, List<String> scopes) {
        this.session = session;
        this.path = path;
        this.scopes = scopes;
    }

    /** POST ?mount=&from=: 201 is mounted; 202 opened an upload instead, which is cancelled (DELETE). */
    boolean mount(String digest, String from) throws RegistryException {
        List<String> withFrom = new java.util.ArrayList<>(scopes);
        withFrom.add("repository:" + from + ":pull");
        String target = uploadsPath() + "?mount=" + TokenService.enc(digest) + "&from=" + TokenService.enc(from);
        HttpResponse<InputStream> r = session.send("POST", target, Map.of(), null, withFrom);
        if (r.statusCode() == 201) {
            Session.discard(r);
            return true;
        }
        if (r.statusCode() == 202) {
            Session.discard(r);
            String location = r.headers().firstValue("Location").orElse(null);
            if (location != null) {
                cancel(r.request().uri().resolve(location));
            }
            return false;
        }
        throw ErrorBodies.forPush(r.statusCode(), Session.errorBody(r));
    }

    /** A failed cancel leaves an upload the registry purges itself; nothing to report. */
    private void cancel(URI upload) {
        try {
            Session.discard(session.send("DELETE", upload.toString(), Map.of(), null, scopes));
        } catch (RegistryException e) {
            // the registry's upload purging reclaims it
        }
    }

    /** POST uploads/ → 202 Location (maybe relative) → PUT Location[?&]digest= with the whole body → 201. */
    void push(Descriptor blob, Repository.BlobSource content, BlobListener listener) throws RegistryException {
        HttpResponse<InputStream> start = session.send("POST", uploadsPath(), Map.of(), null, scopes);
        Session.discard(start);
        String location = start.headers().firstValue("Location").orElse(null);
        if (start.statusCode() != 202 || location == null) {
            throw start.statusCode() == 202
                    ? new RegistryException(UNSUPPORTED, "the registry opened an upload without a Location")
                    : ErrorBodies.forPush(start.statusCode(), Session.errorBody(start));
        }
        URI upload = start.request().uri().resolve(location);
        String put = upload + (upload.getRawQuery() == null ? "?" : "&") + "digest=" + TokenService.enc(blob.digest());
        HttpResponse<InputStream> r = session.send("PUT", put, Map.of("Content-Type", "application/octet-stream"),
                () -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> counted(content, blob.size(), listener)), blob.size()), scopes);
        if (r.statusCode() != 201 && r.statusCode() != 204) {
            throw ErrorBodies.forPush(r.statusCode(), Session.errorBody(r));
        }
        Session.discard(r);
        listener.progress(blob.size(), blob.size());
    }

    /** PUT manifests/REF with Content-Type = its media type; the registry's digest, or the bytes' own. */
    String putManifest(String ref, String mediaType, byte[] bytes) throws RegistryException {
        HttpResponse<InputStream> r = session.send("PUT", "/v2/" + path + "/manifests/" + ref,
                Map.of("Content-Type", mediaType), () -> HttpRequest.BodyPublishers.ofByteArray(bytes), scopes);
        if (r.statusCode() / 100 != 2) {
            throw ErrorBodies.forPush(r.statusCode(), Session.errorBody(r));
        }
        Session.discard(r);
        String given = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        return Digests.isSha256(given) ? given : Digests.of(bytes);
    }

    private String uploadsPath() {
        return "/v2/" + path + "/blobs/uploads/";
    }

    /** The HttpClient pulls the body through this; it cannot throw checked exceptions from the supplier. */
    private static InputStream counted(Repository.BlobSource source, long total, BlobListener listener) {
        InputStream in;
        try {
            in = source.open();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to open the blob to upload: " + e.getMessage(), e);
        }
        return new FilterInputStream(in) {
            private long done;
            private long reported;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    step(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    step(n);
                }
                return n;
            }

            private void step(int n) {
                done += n;
                if (done - reported >= BlobStream.PROGRESS_STEP) {
                    reported = done;
                    listener.progress(done, total);
                }
            }
        };
    }
}
