package dev.skiff.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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

    /** An {@code until} value: a Unix time (with fraction), an RFC 3339 time, or a Go duration before now ("24h"). */
    static java.time.Instant until(String v) throws EngineException {
        try {
            if (v.matches("\\d+(\\.\\d+)?")) {
                String[] p = v.split("\\.", 2);
                long nanos = p.length == 1 ? 0 : Long.parseLong((p[1] + "000000000").substring(0, 9));
                return java.time.Instant.ofEpochSecond(Long.parseLong(p[0]), nanos);
            }
            var d = java.util.regex.Pattern.compile("(\\d+)(h|m|s)").matcher(v);
            if (v.matches("((\\d+)(h|m|s))+")) {
                long seconds = 0;
                while (d.find()) {
                    long n = Long.parseLong(d.group(1));
                    seconds += switch (d.group(2)) {
                        case "h" -> n * 3600;
                        case "m" -> n * 60;
                        default -> n;
                    };
                }
                return java.time.Instant.now().minusSeconds(seconds);
            }
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (RuntimeException e) {
            throw EngineException.invalid("invalid filter 'until=" + v + "': a Unix time, an RFC 3339 time or a"
                    + " duration like 24h");
        }
    }

    static Map<String, List<String>> parse(String raw, Set<String> allowed) throws EngineException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            throw EngineException.invalid("invalid filter: the filters parameter is not JSON: " + Json.problem(e));
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
