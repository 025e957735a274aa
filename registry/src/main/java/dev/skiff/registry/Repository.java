package dev.skiff.registry;

import java.io.IOException;
import java.io.InputStream;

/**
 * One repository on one registry, used with one set of credentials ({@link RegistryClient#repository}).
 * Thread-safe: a pull reads several blobs at once through one instance, sharing its tokens.
 */
public interface Repository {
    /** The repository as named on its registry, e.g. "library/busybox" or "test/img". */
    String path();

    /** The registry's host[:port], e.g. "127.0.0.1:5000"; "docker.io" for Docker Hub. */
    String registry();

    /**
     * Resolves a tag or a digest ("sha256:...") to an image manifest: negotiates with the full Accept list, checks
     * the bytes against the digest (asked for, or Docker-Content-Digest), chooses {@code platform} from an index
     * (first match; attestation entries skipped; nested indexes followed), refuses schema 1 with Docker's text.
     *
     * @throws RegistryException NOT_FOUND "manifest for NAME:TAG not found: ..." or "no matching manifest for
     *                           linux/arm64/v8 in the manifest list entries"; UNAUTHORIZED / DENIED "pull access
     *                           denied for NAME, repository does not exist or may require 'docker login'"; ...
     */
    ResolvedManifest resolve(String tagOrDigest, Platform platform) throws RegistryException;

    /** A small blob (a config) read whole and checked against its descriptor; {@code limit} bounds it. */
    byte[] readBlob(Descriptor blob, int limit) throws RegistryException;

    /**
     * Streams a blob. The stream follows redirects (dropping Authorization across hosts, never https to http),
     * resumes an interrupted body with {@code Range} (up to the configured attempts, telling {@code listener}),
     * and at its end checks size and digest: a mismatch is an IOException whose message names the digest
     * ("filesystem layer verification failed for digest sha256:..."). The caller closes it.
     */
    InputStream openBlob(Descriptor blob, BlobListener listener) throws RegistryException;

    /** HEAD of a blob: true if the registry has it. */
    boolean hasBlob(String digest) throws RegistryException;

    /** Tries a cross-repository mount from {@code fromRepository} on the same registry; true if mounted. */
    boolean mountBlob(String digest, String fromRepository) throws RegistryException;

    /** Uploads a blob (POST, then a monolithic PUT ?digest=) whose content {@code content} opens. */
    void pushBlob(Descriptor blob, BlobSource content, BlobListener listener) throws RegistryException;

    /** PUT of a manifest under a tag (or its digest); returns the digest the registry gives it. */
    String putManifest(String tagOrDigest, String mediaType, byte[] bytes) throws RegistryException;

    /** Opens a blob's content for upload; may be called again for a retry. */
    @FunctionalInterface
    interface BlobSource {
        InputStream open() throws IOException;
    }
}
