package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code repositories.json} in moby's layout ({@code refstore}):
 * {@code {"Repositories": {"busybox": {"busybox:latest": "sha256:<id>", "busybox@sha256:<d>": "sha256:<id>"}}}},
 * keyed by familiar references. Immutable: a change makes a new instance, saved atomically.
 *
 * @param refs familiar reference ("name:tag" or "name@sha256:...") &rarr; image id
 */
record Repositories(Map<String, String> refs) {
    static final String FILE = "repositories.json";

    Repositories {
        refs = java.util.Collections.unmodifiableMap(new TreeMap<>(refs));
    }

    static Repositories load(Path root) throws IOException {
        Path file = root.resolve(FILE);
        Map<String, String> refs = new TreeMap<>();
        if (Files.exists(file)) {
            JsonNode doc = ConfigJson.JSON.readTree(file.toFile());
            for (var repo : doc.path("Repositories").properties()) {
                for (var ref : repo.getValue().properties()) {
                    refs.put(ref.getKey(), ref.getValue().asText());
                }
            }
        }
        return new Repositories(refs);
    }

    void save(Path root) throws IOException {
        ObjectNode doc = ConfigJson.JSON.createObjectNode();
        ObjectNode repos = doc.putObject("Repositories");
        refs.forEach((ref, id) -> {
            ObjectNode repo = repos.has(repository(ref)) ? (ObjectNode) repos.get(repository(ref))
                    : repos.putObject(repository(ref));
            repo.put(ref, id);
        });
        BlobStore.writeAtomically(root.resolve(FILE), ConfigJson.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(doc));
    }

    /** "busybox:latest" &rarr; "busybox"; "localhost:5000/a:b" &rarr; "localhost:5000/a". */
    static String repository(String ref) {
        int at = ref.indexOf('@');
        if (at >= 0) {
            return ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
    }

    /** The tags ("name:tag") of an image, sorted. */
    List<String> tags(String id) {
        return select(id, false);
    }

    /** The digest references ("name@sha256:...") of an image, sorted. */
    List<String> digests(String id) {
        return select(id, true);
    }

    private List<String> select(String id, boolean digests) {
        List<String> out = new ArrayList<>();
        refs.forEach((ref, target) -> {
            if (target.equals(id) && ref.contains("@") == digests) {
                out.add(ref);
            }
        });
        return List.copyOf(out);
    }

    Repositories with(String ref, String id) {
        Map<String, String> m = new TreeMap<>(refs);
        m.put(ref, id);
        return new Repositories(m);
    }

    Repositories without(String ref) {
        Map<String, String> m = new TreeMap<>(refs);
        m.remove(ref);
        return new Repositories(m);
    }
}
