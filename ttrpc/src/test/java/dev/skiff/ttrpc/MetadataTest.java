package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.ttrpc.codec.KeyValue;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetadataTest {
    @Test
    void keysAreCaseInsensitiveAndValuesRepeat() {
        Metadata md = Metadata.of("X-Trace", "a", "b").with("other", "c");
        assertEquals(List.of("a", "b"), md.get("x-trace"));
        assertEquals(Optional.of("c"), md.first("OTHER"));
        assertEquals(List.of(new KeyValue("x-trace", "a"), new KeyValue("x-trace", "b"), new KeyValue("other", "c")),
                md.toKeyValues());
    }

    @Test
    void wireFormRoundTrips() {
        List<KeyValue> kvs = List.of(new KeyValue("K", "1"), new KeyValue("j", "2"), new KeyValue("k", "3"));
        Metadata md = Metadata.fromKeyValues(kvs);
        assertEquals(List.of("1", "3"), md.get("k"));
        assertEquals(md, Metadata.fromKeyValues(md.toKeyValues()));
    }

    @Test
    void settingNoValuesRemovesAKey() {
        assertTrue(Metadata.of("a", "1").with("A").isEmpty());
    }
}
