package dev.skiff.erofs;

import java.nio.charset.StandardCharsets;

/**
 * Names inside a layer are raw bytes. The reader and the tree carry them as {@link String}s with one char per byte
 * (ISO-8859-1), which keeps them byte-exact, compact, hashable, and sorted in unsigned byte order by
 * {@link String#compareTo}.
 */
public final class Names {
    private Names() {}

    public static String ofBytes(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    public static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** For messages: the raw bytes decoded as UTF-8. */
    public static String display(String name) {
        return name == null ? null : new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** A name from Java text (UTF-8 encoded into raw bytes). */
    public static String ofText(String text) {
        return ofBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
