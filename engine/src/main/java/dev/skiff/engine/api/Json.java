package dev.skiff.engine.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson, configured once, and the small readers Docker's request JSON needs. Requests are read
 * as trees because Docker's bodies are large and the API uses a few fields of them; a body that
 * is not JSON, or a field of the wrong type, is a 400.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Go's zero time.Time, which Docker prints for "never". */
    static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private Json() {
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    static ArrayNode array(Collection<String> values) {
        ArrayNode array = array();
        if (values != null) {
            values.forEach(array::add);
        }
        return array;
    }

    /** A list as a JSON array, or JSON null for a null list (Docker's "unset"). */
    static JsonNode arrayOrNull(Collection<String> values) {
        return values == null ? JsonNodeFactory.instance.nullNode() : array(values);
    }

    static ObjectNode object(Map<String, String> map) {
        ObjectNode object = object();
        if (map != null) {
            map.forEach(object::put);
        }
        return object;
    }

    /** An instant the way Go marshals a time.Time (RFC 3339), the zero time for null. */
    static String time(Instant instant) {
        return instant == null ? ZERO_TIME : instant.toString();
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("failed to write JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a request body; an empty body is an empty object. */
    static JsonNode read(InputStream body) throws EngineException, IOException {
        byte[] bytes = body.readAllBytes();
        if (bytes.length == 0) {
            return object();
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (!node.isObject()) {
                throw EngineException.invalid("request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw EngineException.invalid("failed to parse request body as JSON: " + problem(e));
        }
    }

    /** A Jackson setting or getter in backticks, as its messages name them ({@code `JsonReadFeature.X`}). */
    private static final Pattern JACKSON_NAME = Pattern.compile("`[A-Za-z]+\\.[\\w.()]+`");

    /**
     * Jackson's words for a parse error, with the line and column, but without the parts that name
     * Jackson's own settings and getters ({@code [Source: REDACTED (`StreamReadFeature...`)]},
     * {@code from `StreamReadConstraints.getMaxNestingDepth()`}, {@code enable `JsonReadFeature...`
     * to allow}): those mean nothing to a client. A hint naming one is cut off at the clause it starts.
     */
    static String problem(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage())
                .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll(", from `[^`]*`", "");
        Matcher name = JACKSON_NAME.matcher(message);
        if (name.find()) {
            int cut = Math.max(message.lastIndexOf(": ", name.start()),
                    Math.max(message.lastIndexOf(" (", name.start()), message.lastIndexOf(". ", name.start())));
            message = cut > 0 ? message.substring(0, cut) : "not valid JSON";
        }
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    static String text(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw EngineException.invalid(field + " must be a string");
        }
        return value.asText();
    }

    static boolean bool(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw EngineException.invalid(field + " must be a boolean");
        }
        return value.asBoolean();
    }

    static Integer integer(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt()) {
            throw EngineException.invalid(field + " must be an integer");
        }
        return value.asInt();
    }

    /** A 64-bit integer, or 0 when absent. */
    static long int64(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw EngineException.invalid(field + " must be an integer");
        }
        return value.asLong();
    }

    /**
     * A list of strings, or null when absent. Like Docker's {@code strslice.StrSlice}, a single
     * string is accepted as a one-element list ({@code "Cmd": "ls"}).
     */
    static List<String> strings(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return List.of(value.asText());
        }
        if (!value.isArray()) {
            throw EngineException.invalid(field + " must be a list of strings");
        }
        List<String> list = new ArrayList<>(value.size());
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw EngineException.invalid(field + " must be a list of strings");
            }
            list.add(element.asText());
        }
        return list;
    }

    static Map<String, String> stringMap(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return map;
        }
        if (!value.isObject()) {
            throw EngineException.invalid(field + " must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw EngineException.invalid(field + "." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    /** A nested object, or an empty one when absent. */
    static JsonNode child(JsonNode node, String field) throws EngineException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return object();
        }
        if (!value.isObject()) {
            throw EngineException.invalid(field + " must be an object");
        }
        return value;
    }
}
