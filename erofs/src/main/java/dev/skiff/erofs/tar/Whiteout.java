package dev.skiff.erofs.tar;

/**
 * The AUFS-style whiteout names of OCI layers (image-spec {@code layer.md}, "Whiteouts"): {@code .wh.NAME} hides
 * NAME of lower layers, {@code .wh..wh..opq} makes its directory opaque. Other {@code .wh..wh.} names are AUFS
 * bookkeeping and carry nothing for overlayfs.
 */
public sealed interface Whiteout {
    String PREFIX = ".wh.";
    String OPAQUE = ".wh..wh..opq";
    String META_PREFIX = ".wh..wh.";

    /** {@code .wh.NAME}: NAME becomes an overlayfs whiteout (a character device 0:0). */
    record Hide(String name) implements Whiteout {}

    /** {@code .wh..wh..opq}: the directory gets {@code trusted.overlay.opaque=y}. */
    record Opaque() implements Whiteout {}

    /** Another {@code .wh..wh.*} name: ignored. */
    record Meta() implements Whiteout {}

    /** Classifies the last component of an entry's path, or returns null for an ordinary name. */
    static Whiteout of(String lastComponent) {
        if (!lastComponent.startsWith(PREFIX)) {
            return null;
        }
        if (lastComponent.equals(OPAQUE)) {
            return new Opaque();
        }
        if (lastComponent.startsWith(META_PREFIX)) {
            return new Meta();
        }
        return new Hide(lastComponent.substring(PREFIX.length()));
    }
}
