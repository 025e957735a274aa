package dev.skiff.registry;

/**
 * What a tag or digest resolved to.
 *
 * @param repoDigest     the digest of the bytes the tag names (the index, for a multi-platform image): the
 *                       image's RepoDigest, as Docker records it
 * @param manifestDigest the digest of the image manifest chosen (equal to repoDigest without an index)
 * @param manifestBytes  the image manifest exactly as served (push and save write these bytes again)
 * @param manifest       the image manifest, parsed
 * @param platform       the index entry's platform chosen, or null when there was no index
 */
public record ResolvedManifest(String repoDigest, String manifestDigest, byte[] manifestBytes,
                               ImageManifest manifest, Platform platform) {}
