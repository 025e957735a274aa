package dev.skiff.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** skopeo, to put content into the test registries and to check what the client pushed. */
final class Skopeo {
    private Skopeo() {
    }

    /**
     * Copies {@code layout:tag} to {@code docker://dest}; {@code format} is "v2s2" (Docker schema 2) or "oci";
     * {@code compression} "gzip" or "zstd"; {@code creds} "user:pass" or null.
     */
    static void push(Path layout, String tag, String dest, String format, String compression, String creds)
            throws IOException, InterruptedException {
        List<String> c = Tools.cmd(Tools.require("skopeo", "skopeo"), "copy", "--insecure-policy",
                "--dest-tls-verify=false", "--format", format, "--dest-compress-format", compression);
        if (creds != null) {
            c.addAll(List.of("--dest-creds", creds));
        }
        c.addAll(List.of("oci:" + layout + ":" + tag, "docker://" + dest));
        Tools.run(c);
    }

    /** {@code skopeo inspect --raw}: the manifest bytes as the registry serves them. */
    static String inspectRaw(String image) throws IOException, InterruptedException {
        return Tools.run(Tools.cmd(Tools.require("skopeo", "skopeo"), "inspect", "--tls-verify=false", "--raw",
                "docker://" + image));
    }

    static String inspect(String image) throws IOException, InterruptedException {
        return Tools.run(Tools.cmd(Tools.require("skopeo", "skopeo"), "inspect", "--tls-verify=false",
                "docker://" + image));
    }
}
