package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Healthcheck;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The image config blob (OCI image-spec {@code config.md}, which Docker's v1.2 image JSON matches):
 * reading the fields the engine needs, and writing a config for {@code docker import}.
 *
 * <p>In the {@link ImageConfig} this produces, absent values are empty (lists, maps, strings),
 * never null; only the health check is null when the image has none.
 */
final class ConfigJson {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
    /** Largest JSON document (config, manifest, index) the store reads whole. */
    static final int MAX_JSON = 16 << 20;

    private ConfigJson() {}

    /** What the store keeps of a config. */
    record Parsed(Instant created, String os, String architecture, ImageConfig config, List<String> diffIds) {}

    /** Parses a config; IOException naming the problem if it is not one. */
    static Parsed parse(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IOException("the image config is not a JSON object");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!rootfs.path("diff_ids").isArray()) {
            throw new IOException("the image config has no rootfs.diff_ids");
        }
        List<String> diffIds = new ArrayList<>();
        for (JsonNode d : rootfs.path("diff_ids")) {
            String s = d.asText();
            if (!Reference.DIGEST.matcher(s).matches()) {
                throw new IOException("the image config lists a diffID that is not a sha256 digest: " + s);
            }
            diffIds.add(s);
        }
        return new Parsed(instant(root.path("created").asText("")), root.path("os").asText("linux"),
                root.path("architecture").asText("amd64"), imageConfig(root.path("config")), List.copyOf(diffIds));
    }

    static ImageConfig imageConfig(JsonNode c) {
        Map<String, String> labels = new LinkedHashMap<>();
        c.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        TreeSet<String> ports = new TreeSet<>();
        c.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        TreeSet<String> volumes = new TreeSet<>();
        c.path("Volumes").fieldNames().forEachRemaining(volumes::add);
        return new ImageConfig(strings(c.path("Env")), strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                c.path("WorkingDir").asText(""), c.path("User").asText(""), Map.copyOf(labels), List.copyOf(ports),
                List.copyOf(volumes), healthcheck(c.path("Healthcheck")));
    }

    /** The image's HEALTHCHECK; a malformed one is treated as none rather than making the image unusable. */
    private static Healthcheck healthcheck(JsonNode h) {
        try {
            return Healthcheck.fromJson(h);
        } catch (EngineException e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(n.asText());
        }
        return List.copyOf(out);
    }

    /** RFC 3339 with any offset and up to nanoseconds; the epoch if absent or unreadable. */
    static Instant instant(String s) {
        if (s.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /**
     * The config {@code docker import} writes: linux/amd64, one layer, one history entry.
     * Field order is fixed, so the same inputs give the same bytes (and image id).
     */
    static byte[] forImport(Instant created, ImageConfig config, String diffId, String comment) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", "amd64");
        ObjectNode c = root.putObject("config");
        if (!config.user().isEmpty()) {
            c.put("User", config.user());
        }
        if (!config.exposedPorts().isEmpty()) {
            ObjectNode ports = c.putObject("ExposedPorts");
            config.exposedPorts().forEach(p -> ports.putObject(p));
        }
        array(c, "Env", config.env());
        array(c, "Entrypoint", config.entrypoint());
        array(c, "Cmd", config.cmd());
        if (!config.workingDir().isEmpty()) {
            c.put("WorkingDir", config.workingDir());
        }
        if (!config.labels().isEmpty()) {
            ObjectNode labels = c.putObject("Labels");
            new java.util.TreeMap<>(config.labels()).forEach(labels::put);
        }
        if (!config.volumes().isEmpty()) {
            ObjectNode volumes = c.putObject("Volumes");
            config.volumes().forEach(volumes::putObject);
        }
        root.put("created", created.toString());
        ObjectNode history = root.putArray("history").addObject();
        history.put("created", created.toString());
        history.put("created_by", "skiff import");
        history.put("comment", comment);
        root.put("os", "linux");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        return JSON.writeValueAsBytes(root);
    }

    private static void array(ObjectNode parent, String name, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = parent.putArray(name);
            values.forEach(a::add);
        }
    }
}
