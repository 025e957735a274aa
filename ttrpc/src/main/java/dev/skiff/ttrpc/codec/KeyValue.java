package dev.skiff.ttrpc.codec;

import java.util.Objects;

/** {@code ttrpc.KeyValue}: one metadata entry. */
public record KeyValue(String key, String value) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
