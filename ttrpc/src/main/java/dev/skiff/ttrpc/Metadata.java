package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.KeyValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Call metadata: keys (lower-cased, as containerd's {@code MD}) with one or more values each.
 * Immutable; {@link #with} returns a copy. On the wire it is a repeated {@code KeyValue}, one
 * entry per value.
 */
public record Metadata(Map<String, List<String>> entries) {
    /** No metadata. */
    public static final Metadata EMPTY = new Metadata(Map.of());

    public Metadata {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (!v.isEmpty()) {
                copy.merge(k.toLowerCase(Locale.ROOT), List.copyOf(v), Metadata::concat);
            }
        });
        entries = Collections.unmodifiableMap(copy);
    }

    /** Metadata with one key set to the given values. */
    public static Metadata of(String key, String... values) {
        return EMPTY.with(key, values);
    }

    /** A copy with {@code key} set to {@code values} (replacing earlier values; none removes it). */
    public Metadata with(String key, String... values) {
        Map<String, List<String>> copy = new LinkedHashMap<>(entries);
        String k = key.toLowerCase(Locale.ROOT);
        if (values.length == 0) {
            copy.remove(k);
        } else {
            copy.put(k, List.of(values));
        }
        return new Metadata(copy);
    }

    /** All values of a key (case-insensitive), possibly empty. */
    public List<String> get(String key) {
        return entries.getOrDefault(key.toLowerCase(Locale.ROOT), List.of());
    }

    /** The first value of a key. */
    public Optional<String> first(String key) {
        return get(key).stream().findFirst();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The wire form: one {@code KeyValue} per value. */
    public List<KeyValue> toKeyValues() {
        List<KeyValue> out = new ArrayList<>();
        entries.forEach((k, vs) -> vs.forEach(v -> out.add(new KeyValue(k, v))));
        return out;
    }

    /** From the wire form; repeated keys accumulate values in order. */
    public static Metadata fromKeyValues(List<KeyValue> kvs) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            m.computeIfAbsent(kv.key().toLowerCase(Locale.ROOT), _ -> new ArrayList<>()).add(kv.value());
        }
        return new Metadata(m);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
