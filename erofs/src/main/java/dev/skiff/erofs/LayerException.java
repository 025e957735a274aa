package dev.skiff.erofs;

import java.io.IOException;

/**
 * A layer tar that cannot be converted: malformed, truncated, hostile or beyond what EROFS can hold. The message
 * names the offending entry so that a person can act on it.
 */
public class LayerException extends IOException {
    private final String entry;

    public LayerException(String entry, String problem) {
        this(entry, problem, null);
    }

    public LayerException(String entry, String problem, Throwable cause) {
        super(entry == null ? problem : "entry '" + entry + "': " + problem, cause);
        this.entry = entry;
    }

    /** The entry's name as it appears in the tar (decoded as UTF-8 for display), or null if none applies. */
    public String entry() {
        return entry;
    }
}
