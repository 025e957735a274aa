package dev.skiff.engine.api;

import dev.skiff.engine.api.Backend.ArchiveRead;
import dev.skiff.engine.api.Backend.PathStat;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;

/**
 * {@code /containers/{id}/archive}: docker cp (moby api/server/router/container/copy.go). HEAD
 * answers the path's stat in {@code X-Docker-Container-Path-Stat}; GET adds the tar
 * ({@code application/x-tar}); PUT extracts the request body, a tar, into a directory, with
 * {@code noOverwriteDirNonDir} and {@code copyUIDGID}.
 */
final class ArchiveRoutes {
    static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private final Backend backend;

    ArchiveRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("HEAD", "/containers/{id}/archive", this::head)
                .add("GET", "/containers/{id}/archive", this::get)
                .add("PUT", "/containers/{id}/archive", this::put);
    }

    private void head(Exchange ex) throws EngineException, IOException {
        PathStat stat = backend.statPath(ex.path("id"), path(ex));
        ex.response().sendEmpty(200, Map.of(STAT_HEADER, statHeader(stat)));
    }

    private void get(Exchange ex) throws EngineException, IOException {
        try (ArchiveRead read = backend.readArchive(ex.path("id"), path(ex))) {
            OutputStream body = ex.response().startChunked(200, "application/x-tar",
                    Map.of(STAT_HEADER, statHeader(read.stat())));
            read.transferTo(body);
            body.close();
        }
    }

    private void put(Exchange ex) throws EngineException, IOException {
        backend.extractArchive(ex.path("id"), path(ex), ex.queryBool("noOverwriteDirNonDir"), ex.queryBool("copyUIDGID"),
                ex.request().body());
        ex.response().sendEmpty(200);
    }

    /** moby's ArchiveFormValues: the path is required. */
    static String path(Exchange ex) throws EngineException {
        String path = ex.query("path");
        if (path == null || path.isEmpty()) {
            throw EngineException.invalid("bad parameter: path cannot be empty");
        }
        return path;
    }

    /** Base64 (standard) of the stat as moby marshals container.PathStat to JSON. */
    static String statHeader(PathStat stat) {
        var json = Json.object().put("name", stat.name()).put("size", stat.size())
                .put("mode", Integer.toUnsignedLong(stat.mode())).put("mtime", goTime(stat.mtime()))
                .put("linkTarget", stat.linkTarget());
        return Base64.getEncoder().encodeToString(Json.write(json));
    }

    /** Go's time.Time JSON form: RFC 3339 with nanoseconds, trailing zeros of the fraction dropped. */
    static String goTime(java.time.Instant t) {
        String base = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
        if (t.getNano() == 0) {
            return base + "Z";
        }
        String frac = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return base + "." + frac + "Z";
    }
}
