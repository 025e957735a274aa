package dev.skiff.engine.image;

import dev.skiff.engine.api.EngineException;
import java.util.regex.Pattern;

/**
 * A Docker image reference, normalised to its familiar form: {@code busybox},
 * {@code library/busybox}, {@code docker.io/library/busybox} all become {@code busybox}, and a
 * missing tag becomes {@code latest}. Grammar from distribution/reference ({@code reference.go},
 * {@code normalize.go}).
 *
 * @param name   the familiar repository name, e.g. {@code busybox}, {@code user/app}, {@code quay.io/a/b}
 * @param tag    the tag, or null for a digest reference
 * @param digest {@code sha256:<hex>} for a {@code name@digest} reference, else null
 */
record Reference(String name, String tag, String digest) {
    static final String DEFAULT_TAG = "latest";
    static final String DOCKER_HUB = "docker.io";
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:localhost|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    /** "name:tag" or "name@sha256:...", the key under which repositories.json stores it. */
    String familiar() {
        return digest != null ? name + "@" + digest : name + ":" + tag;
    }

    /** The registry the name lives on, "host[:port]": "docker.io" for Docker Hub's names. */
    String registry() {
        int slash = name.indexOf('/');
        if (slash > 0) {
            String first = name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return DOCKER_HUB;
    }

    /** The repository's path on its registry: "library/busybox" for the familiar "busybox". */
    String remotePath() {
        String registry = registry();
        if (!registry.equals(DOCKER_HUB)) {
            return name.substring(registry.length() + 1);
        }
        return name.contains("/") ? name : "library/" + name;
    }

    /** The same repository with another tag or digest. */
    Reference withTag(String newTag) {
        return new Reference(name, newTag, null);
    }

    Reference withDigest(String newDigest) {
        return new Reference(name, null, newDigest);
    }

    /** Parses {@code ref}, or throws INVALID with Docker's "invalid reference format" text. */
    static Reference parse(String ref) throws EngineException {
        Reference r = tryParse(ref);
        if (r == null) {
            throw EngineException.invalid("invalid reference format: " + ref);
        }
        return r;
    }

    /** Parses {@code ref}, or returns null if it is not a valid reference. */
    static Reference tryParse(String ref) {
        if (ref == null || ref.isEmpty() || ref.length() > 255 + 1 + 128 + 72) {
            return null;
        }
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                return null;
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                return null;
            }
        }
        String domain = null;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain != null && !DOMAIN.matcher(domain).matches() || !PATH.matcher(path).matches()) {
            return null;
        }
        if (domain == null && HEX64.matcher(path).matches()) {
            return null; // Docker: "cannot specify 64-byte hexadecimal strings"
        }
        if (domain != null && (domain.equals("docker.io") || domain.equals("index.docker.io"))) {
            domain = null;
        }
        if (domain == null && path.startsWith("library/") && path.indexOf('/', 8) < 0) {
            path = path.substring(8);
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new Reference(domain == null ? path : domain + "/" + path, digest != null && tag != null ? null : tag,
                digest);
    }
}
