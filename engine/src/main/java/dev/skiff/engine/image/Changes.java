package dev.skiff.engine.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.EngineException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Dockerfile instructions {@code docker import --change} applies to the new image's config:
 * CMD, ENTRYPOINT, ENV, WORKDIR, USER, and also LABEL, EXPOSE and VOLUME. The key is the instruction (any
 * case), the value its arguments as a Dockerfile would have them: {@code ["sh"]} (exec form) or
 * {@code echo hi} (shell form, run by {@code /bin/sh -c}); {@code A=1 B="two words"} or the legacy
 * {@code A one value}. No variable substitution.
 */
final class Changes {
    private Changes() {}

    static ImageConfig apply(ImageConfig base, Map<String, String> changes) throws EngineException {
        List<String> env = new ArrayList<>(base.env());
        List<String> entrypoint = base.entrypoint();
        List<String> cmd = base.cmd();
        String workingDir = base.workingDir();
        String user = base.user();
        Map<String, String> labels = new LinkedHashMap<>(base.labels());
        TreeSet<String> ports = new TreeSet<>(base.exposedPorts());
        TreeSet<String> volumes = new TreeSet<>(base.volumes());
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String value = change.getValue() == null ? "" : change.getValue().strip();
            switch (change.getKey().strip().toUpperCase(Locale.ROOT)) {
                case "CMD" -> cmd = command(value);
                case "ENTRYPOINT" -> entrypoint = command(value);
                case "ENV" -> pairs("ENV", value, true).forEach((k, v) -> setEnv(env, k, v));
                case "LABEL" -> labels.putAll(pairs("LABEL", value, false));
                case "WORKDIR" -> workingDir = value.isEmpty() || value.startsWith("/") ? value : "/" + value;
                case "USER" -> user = value;
                case "EXPOSE" -> {
                    for (String p : words(value)) {
                        ports.add(p.contains("/") ? p : p + "/tcp");
                    }
                }
                case "VOLUME" -> {
                    List<String> paths = value.startsWith("[") ? command(value) : words(value);
                    for (String p : paths) {
                        if (!p.startsWith("/")) {
                            throw EngineException.invalid("VOLUME " + p + ": the path must be absolute");
                        }
                        volumes.add(p);
                    }
                }
                default -> throw EngineException.invalid(change.getKey() + " is not a valid change command");
            }
        }
        return new ImageConfig(List.copyOf(env), entrypoint, cmd, workingDir, user, Map.copyOf(labels),
                List.copyOf(ports), List.copyOf(volumes), base.healthcheck());
    }

    /** Exec form (a JSON array of strings) or shell form. */
    static List<String> command(String value) {
        if (value.startsWith("[")) {
            try {
                return List.copyOf(ConfigJson.JSON.readValue(value, new TypeReference<List<String>>() {}));
            } catch (IOException notJson) {
                // Docker's parser: not valid JSON means shell form
            }
        }
        return value.isEmpty() ? List.of() : List.of("/bin/sh", "-c", value);
    }

    private static void setEnv(List<String> env, String key, String value) {
        env.removeIf(e -> e.equals(key) || e.startsWith(key + "="));
        env.add(key + "=" + value);
    }

    /** {@code k=v k2="v 2"}, or (ENV only) the legacy {@code KEY the value}. */
    private static Map<String, String> pairs(String instruction, String value, boolean legacyForm)
            throws EngineException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> words = words(value);
        if (words.isEmpty()) {
            throw EngineException.invalid(instruction + " requires at least one argument");
        }
        if (legacyForm && !words.getFirst().contains("=")) {
            int space = value.indexOf(' ');
            String key = space < 0 ? value : value.substring(0, space);
            String rest = space < 0 ? "" : value.substring(space + 1).strip();
            if (rest.isEmpty()) {
                throw EngineException.invalid(instruction + " names " + key + " but gives no value");
            }
            out.put(key, rest);
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw EngineException.invalid(instruction + " " + value + ": expected KEY=VALUE, found \"" + w + "\"");
            }
            out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }

    /** Splits at unquoted white space; double quotes allow backslash escapes, single quotes none. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\\' && quote != '\'' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                w.append(c);
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
