package dev.skiff.erofs;

import java.time.Duration;
import java.util.UUID;

/**
 * The outcome of one conversion.
 *
 * @param entries       tar entries read (PAX and GNU meta headers not counted)
 * @param inodes        inodes in the image
 * @param bytesIn       bytes read from the layer blob (compressed, if it was)
 * @param tarBytes      bytes of the decompressed tar
 * @param fileBytes     the regular files' sizes added up (hard links not counted again): what Docker calls a
 *                      layer's size
 * @param bytesOut      bytes of the image
 * @param uuid          the image's UUID (derived from the tar's SHA-256)
 * @param droppedXattrs xattrs left out because EROFS cannot name their namespace
 * @param elapsed       wall time of the conversion
 */
public record Summary(long entries, long inodes, long bytesIn, long tarBytes, long fileBytes, long bytesOut, UUID uuid,
                      long droppedXattrs, Duration elapsed) {

    public double seconds() {
        return elapsed.toNanos() / 1e9;
    }
}
