package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.Backend.ImageDetail;
import dev.skiff.engine.api.Backend.ImageSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's {@code ImageSummary} (docker images) and {@code ImageInspect} shapes, API 1.47. */
final class ImageJson {
    private ImageJson() {
    }

    static ObjectNode summary(ImageSummary image) {
        ObjectNode json = Json.object()
                .put("Containers", -1)
                .put("Created", image.created() == null ? 0 : image.created().getEpochSecond())
                .put("Id", image.id())
                .put("ParentId", "");
        json.set("Labels", Json.object(image.labels()));
        json.set("RepoDigests", Json.array(image.repoDigests()));
        json.set("RepoTags", Json.array(image.repoTags()));
        // VirtualSize: what clients of API 1.43 and older (docker-py 5, compose 1.29) still read
        return json.put("SharedSize", -1).put("Size", image.size()).put("VirtualSize", image.size());
    }

    static ObjectNode inspect(ImageDetail detail) {
        ImageSummary image = detail.summary();
        ObjectNode json = Json.object().put("Id", image.id());
        json.set("RepoTags", Json.array(image.repoTags()));
        json.set("RepoDigests", Json.array(image.repoDigests()));
        json.put("Parent", "")
                .put("Comment", "")
                .put("Created", Json.time(image.created()))
                .put("DockerVersion", "")
                .put("Author", "");
        json.set("Config", config(detail.config()));
        // deprecated since API 1.45 but still read by older clients: the config the image was made with
        json.put("Container", "");
        json.set("ContainerConfig", config(detail.config()));
        json.put("Architecture", detail.architecture())
                .put("Os", detail.os())
                .put("Size", image.size())
                .put("VirtualSize", image.size());
        json.putObject("GraphDriver").put("Name", "skiff").putNull("Data");
        ObjectNode rootFs = json.putObject("RootFS").put("Type", "layers");
        rootFs.set("Layers", Json.array(detail.diffIds()));
        json.putObject("Metadata").put("LastTagTime", Json.ZERO_TIME);
        return json;
    }

    /** The container defaults, in the shape of Docker's container Config. */
    static ObjectNode config(ImageConfig config) {
        ObjectNode json = Json.object()
                .put("Hostname", "")
                .put("Domainname", "")
                .put("User", config.user() == null ? "" : config.user())
                .put("AttachStdin", false)
                .put("AttachStdout", false)
                .put("AttachStderr", false);
        if (config.exposedPorts() == null || config.exposedPorts().isEmpty()) {
            json.putNull("ExposedPorts");
        } else {
            ObjectNode ports = json.putObject("ExposedPorts");
            config.exposedPorts().forEach(port -> ports.putObject(port));
        }
        json.put("Tty", false).put("OpenStdin", false).put("StdinOnce", false);
        json.set("Env", Json.arrayOrNull(config.env()));
        json.set("Cmd", Json.arrayOrNull(config.cmd()));
        if (config.healthcheck() != null) {
            json.set("Healthcheck", config.healthcheck().toJson());
        }
        json.put("Image", "");
        if (config.volumes() == null || config.volumes().isEmpty()) {
            json.putNull("Volumes");
        } else {
            ObjectNode volumes = json.putObject("Volumes");
            config.volumes().forEach(volumes::putObject);
        }
        json.put("WorkingDir", config.workingDir() == null ? "" : config.workingDir());
        json.set("Entrypoint", Json.arrayOrNull(config.entrypoint()));
        json.putNull("OnBuild");
        json.set("Labels", config.labels() == null ? Json.object() : Json.object(config.labels()));
        return json;
    }

    /**
     * The {@code changes} of docker import ("CMD [\"sh\"]", "ENV A=b") as instruction to
     * arguments, the shape {@link Backend#importImage} takes. Given twice, ENV, LABEL and EXPOSE
     * add up (their arguments are joined by a space, which their syntax allows), and the others
     * keep the last one, as a Dockerfile would.
     */
    static Map<String, String> changes(List<String> changes) throws EngineException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String change : changes) {
            String trimmed = change.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split("\\s+", 2);
            if (parts.length < 2) {
                throw EngineException.invalid("invalid change '" + change + "': expected INSTRUCTION ARGUMENTS");
            }
            String instruction = parts[0].toUpperCase();
            boolean additive = instruction.equals("ENV") || instruction.equals("LABEL") || instruction.equals("EXPOSE");
            map.merge(instruction, parts[1], (a, b) -> additive ? a + " " + b : b);
        }
        return map;
    }

    /**
     * Splits a reference into repository and tag when no separate tag is given, as the CLI sends
     * {@code docker import FILE name:tag} as {@code repo=name:tag}. A ':' before the last '/' is
     * a registry port, not a tag.
     */
    static String[] repoAndTag(String repo, String tag) {
        if (repo == null || repo.isEmpty() || (tag != null && !tag.isEmpty())) {
            return new String[] {repo == null ? "" : repo, tag == null ? "" : tag};
        }
        int colon = repo.lastIndexOf(':');
        if (colon > repo.lastIndexOf('/')) {
            return new String[] {repo.substring(0, colon), repo.substring(colon + 1)};
        }
        return new String[] {repo, ""};
    }
}
