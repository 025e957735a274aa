package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code filters} query parameter: JSON mapping each key to its values, in the Go
 * clients' form ({@code {"label":{"a=b":true}}}) or docker-java's and docker-py's
 * ({@code {"label":["a=b"]}}). A key the endpoint does not know is refused as dockerd refuses it.
 */
final class Filters {
    private Filters() {}

    static Map<String, List<String>> parse(String raw, Set<String> allowed) throws EngineException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw EngineException.invalid("invalid filter: the filters parameter is not JSON: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw EngineException.invalid("invalid filter: filters must be a JSON object");
        }
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!allowed.contains(e.getKey())) {
                throw EngineException.invalid("invalid filter '" + e.getKey() + "'");
            }
            List<String> values = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                v.forEach(x -> values.add(x.asText()));
            } else if (v.isObject()) {
                v.fieldNames().forEachRemaining(values::add);
            } else {
                throw EngineException.invalid("invalid filter '" + e.getKey() + "': values must be a list or an object");
            }
            out.put(e.getKey(), values);
        }
        return out;
    }
}
