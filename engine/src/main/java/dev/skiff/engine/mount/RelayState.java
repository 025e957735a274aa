package dev.skiff.engine.mount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link SocketRelay}'s state file, what a later daemon needs to take its forwards up: the port
 * it listens on and, per guest storage, the forward's token and host socket.
 * <pre>{"port": 41234, "forwards": {"sock-1f..": {"token": "hex", "target": "/run/skiff/docker.sock"}}}</pre>
 * Mode 0600: a token is what keeps other local users from reaching the socket behind it. Written
 * whole to a temporary file and moved over the old one, so a daemon killed mid-write leaves the
 * old state, never half of one.
 */
final class RelayState {
    private static final Logger LOG = System.getLogger(RelayState.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Forward(byte[] token, Path target) {}

    record Saved(int port, Map<String, Forward> forwards) {
        static final Saved NONE = new Saved(0, Map.of());
    }

    private final Path file;

    RelayState(Path file) {
        this.file = file;
    }

    /** What the file holds; nothing when it is missing, and nothing (logged) when it cannot be read. */
    Saved load() {
        try {
            JsonNode root = MAPPER.readTree(Files.readAllBytes(file));
            int port = root.path("port").asInt(0);
            if (port < 0 || port > 65535) {
                throw new IOException("port " + port + " out of range");
            }
            Map<String, Forward> forwards = new TreeMap<>();
            for (Map.Entry<String, JsonNode> f : root.path("forwards").properties()) {
                forwards.put(f.getKey(), new Forward(HexFormat.of().parseHex(f.getValue().path("token").asText()),
                        Path.of(f.getValue().path("target").asText())));
            }
            return new Saved(port, forwards);
        } catch (NoSuchFileException e) {
            return Saved.NONE;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read the socket relay's state " + file + " (its forwarded sockets will"
                    + " not be taken up): " + e.getMessage());
            return Saved.NONE;
        }
    }

    /** Replaces the file's content; a failure is logged (the forwards still work, until the daemon restarts). */
    void save(Saved saved) {
        ObjectNode root = MAPPER.createObjectNode().put("port", saved.port());
        ObjectNode forwards = root.putObject("forwards");
        saved.forwards().forEach((storage, f) -> forwards.putObject(storage)
                .put("token", HexFormat.of().formatHex(f.token())).put("target", f.target().toString()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, MAPPER.writeValueAsBytes(root));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot save the socket relay's state " + file + " (its forwarded sockets will"
                    + " not outlive this daemon): " + e.getMessage());
        }
    }
}
