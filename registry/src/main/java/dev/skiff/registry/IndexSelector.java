package dev.skiff.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses from an image index (image-spec {@code image-index.md}): "the first matching entry SHOULD be used";
 * an unknown {@code mediaType} "MUST NOT" be an error, so such entries are passed over; BuildKit's attestation
 * manifests (platform unknown/unknown, annotation {@code vnd.docker.reference.type: attestation-manifest}) are
 * never images.
 */
final class IndexSelector {
    static final String REFERENCE_TYPE = "vnd.docker.reference.type";
    static final String ATTESTATION = "attestation-manifest";

    private IndexSelector() {
    }

    /**
     * The entries worth following, in index order: image manifests whose platform matches {@code wanted}, and
     * nested indexes whose platform (if they have one) matches.
     */
    static List<ManifestParser.Entry> candidates(List<ManifestParser.Entry> entries, Platform wanted) {
        List<ManifestParser.Entry> out = new ArrayList<>();
        for (ManifestParser.Entry e : entries) {
            if (attestation(e)) {
                continue;
            }
            if (e.isManifest() && e.platform() != null && wanted.matches(e.platform())) {
                out.add(e);
            } else if (e.isIndex() && (e.platform() == null || wanted.matches(e.platform()))) {
                out.add(e);
            }
        }
        return out;
    }

    static boolean attestation(ManifestParser.Entry e) {
        Platform p = e.platform();
        return ATTESTATION.equals(e.annotations().get(REFERENCE_TYPE))
                || p != null && "unknown".equals(p.os()) && "unknown".equals(p.architecture());
    }
}
