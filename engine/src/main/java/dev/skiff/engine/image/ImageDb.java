package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code images.json}: which layers each image has and where they are stored, as
 * {@code {"Images": {"sha256:<id>": {"Layers": [{"DiffID", "Blob", "Size"}]}}}}. The config itself
 * is the blob named by the id. Immutable: a change makes a new instance, saved atomically.
 */
record ImageDb(Map<String, List<Layer>> images) {
    static final String FILE = "images.json";

    /**
     * One layer of an image.
     *
     * @param diffId {@code sha256:} of the uncompressed tar
     * @param blob   {@code sha256:} of the blob as stored (may be compressed)
     * @param size   the bytes of its regular files (Docker's layer size)
     */
    record Layer(String diffId, String blob, long size) {}

    ImageDb {
        images = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
    }

    static ImageDb load(Path root) throws IOException {
        Path file = root.resolve(FILE);
        Map<String, List<Layer>> images = new LinkedHashMap<>();
        if (Files.exists(file)) {
            JsonNode doc = ConfigJson.JSON.readTree(file.toFile());
            for (var e : doc.path("Images").properties()) {
                List<Layer> layers = new java.util.ArrayList<>();
                for (JsonNode l : e.getValue().path("Layers")) {
                    layers.add(new Layer(l.path("DiffID").asText(), l.path("Blob").asText(), l.path("Size").asLong()));
                }
                images.put(e.getKey(), List.copyOf(layers));
            }
        }
        return new ImageDb(images);
    }

    void save(Path root) throws IOException {
        ObjectNode doc = ConfigJson.JSON.createObjectNode();
        ObjectNode all = doc.putObject("Images");
        images.forEach((id, layers) -> {
            var array = all.putObject(id).putArray("Layers");
            for (Layer l : layers) {
                array.addObject().put("DiffID", l.diffId()).put("Blob", l.blob()).put("Size", l.size());
            }
        });
        BlobStore.writeAtomically(root.resolve(FILE), ConfigJson.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(doc));
    }

    ImageDb with(String id, List<Layer> layers) {
        Map<String, List<Layer>> m = new LinkedHashMap<>(images);
        m.put(id, layers);
        return new ImageDb(m);
    }

    ImageDb without(String id) {
        Map<String, List<Layer>> m = new LinkedHashMap<>(images);
        m.remove(id);
        return new ImageDb(m);
    }
}
