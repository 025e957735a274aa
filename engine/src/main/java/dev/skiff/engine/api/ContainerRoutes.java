package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.WaitCondition;
import java.io.IOException;
import java.util.List;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** {@code /containers/...}: the lifecycle (create, start, stop, kill, remove, wait) and queries. */
final class ContainerRoutes {
    private final Backend backend;

    ContainerRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("POST", "/containers/create", this::create)
                .add("GET", "/containers/json", this::list)
                .add("GET", "/containers/{id}/json", this::inspect)
                .add("POST", "/containers/{id}/start", this::start)
                .add("POST", "/containers/{id}/stop", this::stop)
                .add("POST", "/containers/{id}/kill", this::kill)
                .add("POST", "/containers/{id}/wait", this::await)
                .add("POST", "/containers/{id}/resize", this::resize)
                .add("POST", "/containers/{id}/restart", this::restart)
                .add("POST", "/containers/{id}/rename", this::rename)
                .add("POST", "/containers/{id}/update", this::update)
                .add("POST", "/containers/prune", this::prune)
                .add("DELETE", "/containers/{id}", this::remove);
    }

    private void create(Exchange ex) throws EngineException, IOException {
        String name = ContainerJson.name(ex.query("name"));
        var body = ex.readJson();
        Backend.CreateSpec spec = ContainerJson.createSpec(body);
        List<String> from = Json.strings(Json.child(body, "HostConfig"), "VolumesFrom");
        if (from != null && !from.isEmpty()) {
            spec = spec.withBinds(volumesFrom(spec.binds(), from));
        }
        String id = backend.createContainer(name, spec);
        ObjectNode reply = Json.object().put("Id", id);
        reply.putArray("Warnings");
        ex.response().sendJson(201, reply);
    }

    /**
     * --volumes-from CONTAINER[:ro|rw]: that container's mounts, volumes and binds, at the same paths (read-only
     * with :ro), unless this container mounts something there itself.
     */
    private List<Backend.BindMount> volumesFrom(List<Backend.BindMount> own, List<String> from) throws EngineException {
        List<Backend.BindMount> all = new java.util.ArrayList<>(own);
        for (String f : from) {
            String[] parts = f.split(":", 2);
            String mode = parts.length > 1 ? parts[1] : "";
            if (!mode.isEmpty() && !mode.equals("ro") && !mode.equals("rw")) {
                throw EngineException.invalid("invalid mode for volumes-from: " + mode);
            }
            for (Backend.BindMount b : backend.inspectContainer(parts[0]).spec().binds()) {
                if (all.stream().noneMatch(m -> m.containerPath().equals(b.containerPath()))) {
                    boolean ro = mode.isEmpty() ? b.readOnly() : mode.equals("ro");
                    all.add(new Backend.BindMount(b.hostPath(), b.containerPath(), ro, b.createHostPath(), b.volume(),
                            true));
                }
            }
        }
        return all;
    }

    /** docker ps: newest first; -a, filters (see {@link ContainerFilter}) and -n (limit, which implies -a). */
    private void list(Exchange ex) throws EngineException, IOException {
        Instant now = Instant.now();
        List<Backend.ContainerSummary> everything = backend.listContainers(true);
        ContainerFilter filter = ContainerFilter.parse(ex.query("filters"), everything);
        Integer limit = ex.queryInt("limit");
        boolean all = filter.includesStopped(ex.queryBool("all")) || limit != null && limit > 0;
        ArrayNode list = Json.array();
        everything.stream().filter(c -> all || c.state().running()).filter(filter::matches)
                .limit(limit != null && limit > 0 ? limit : Long.MAX_VALUE)
                .forEach(c -> list.add(ContainerJson.summary(c, now)));
        ex.response().sendJson(200, list);
    }

    private void inspect(Exchange ex) throws EngineException, IOException {
        ex.response().sendJson(200, ContainerJson.inspect(backend.inspectContainer(ex.path("id"))));
    }

    private void start(Exchange ex) throws EngineException, IOException {
        backend.startContainer(ex.path("id"));
        ex.response().sendEmpty(204);
    }

    private void stop(Exchange ex) throws EngineException, IOException {
        String signal = ex.query("signal");
        backend.stopContainer(ex.path("id"), ex.queryInt("t"), signal == null || signal.isEmpty() ? null : signal);
        ex.response().sendEmpty(204);
    }

    /** docker kill: SIGKILL unless a signal is given, as dockerd. */
    private void kill(Exchange ex) throws EngineException, IOException {
        String signal = ex.query("signal");
        backend.killContainer(ex.path("id"), signal == null || signal.isEmpty() ? "SIGKILL" : signal);
        ex.response().sendEmpty(204);
    }

    /** docker restart: stop (if running, with -t and --signal as stop has them), then start, as dockerd does. */
    private void restart(Exchange ex) throws EngineException, IOException {
        String id = ex.path("id");
        Integer timeout = ex.queryInt("t");
        try {
            backend.stopContainer(id, timeout, ex.query("signal"));
        } catch (EngineException e) {
            if (e.kind() != EngineException.Kind.NOT_MODIFIED) {
                throw e; // "container already stopped" is what a restart of a stopped container expects
            }
        }
        backend.startContainer(id);
        ex.response().sendEmpty(204);
    }

    private void rename(Exchange ex) throws EngineException, IOException {
        String name = ex.query("name");
        if (name == null || name.isEmpty()) {
            throw EngineException.invalid("rename needs a new name (name=)");
        }
        backend.renameContainer(ex.path("id"), name);
        ex.response().sendEmpty(204);
    }

    /** docker update: Docker's reply, with no warnings. */
    private void update(Exchange ex) throws EngineException, IOException {
        backend.updateContainer(ex.path("id"), UpdateJson.parse(ex.readJson()));
        ObjectNode reply = Json.object();
        reply.putArray("Warnings");
        ex.response().sendJson(200, reply);
    }

    /** docker container prune: every stopped container the label and until filters select. */
    private void prune(Exchange ex) throws EngineException, IOException {
        var f = Filters.parse(ex.query("filters"), java.util.Set.of("label", "label!", "until"));
        Instant until = f.containsKey("until") ? Filters.until(f.get("until").getFirst()) : null;
        ArrayNode deleted = Json.array();
        for (Backend.ContainerSummary c : backend.listContainers(true)) {
            boolean stopped = !c.state().running() && !c.state().status().equals("removing");
            boolean labelled = dev.skiff.engine.network.LabelFilter.matches(c.labels(), f.getOrDefault("label", List.of()))
                    && f.getOrDefault("label!", List.of()).stream().noneMatch(l ->
                            dev.skiff.engine.network.LabelFilter.matches(c.labels(), List.of(l)));
            if (stopped && labelled && (until == null || c.created().isBefore(until))) {
                try {
                    backend.removeContainer(c.id(), false, false);
                    deleted.add(c.id());
                } catch (EngineException e) {
                    if (e.kind() != EngineException.Kind.NOT_FOUND && e.kind() != EngineException.Kind.CONFLICT) {
                        throw e; // gone or started meanwhile: not this prune's to remove
                    }
                }
            }
        }
        ObjectNode reply = Json.object();
        reply.set("ContainersDeleted", deleted);
        reply.put("SpaceReclaimed", 0);
        ex.response().sendJson(200, reply);
    }

    private void remove(Exchange ex) throws EngineException, IOException {
        backend.removeContainer(ex.path("id"), ex.queryBool("force"), ex.queryBool("v"));
        ex.response().sendEmpty(204);
    }

    private void resize(Exchange ex) throws EngineException, IOException {
        backend.resizeContainer(ex.path("id"), size(ex, "h"), size(ex, "w"));
        ex.response().sendEmpty(200);
    }

    static int size(Exchange ex, String name) throws EngineException {
        Integer value = ex.queryInt(name);
        if (value == null || value < 0) {
            throw EngineException.invalid("resize needs " + name + "= as a non-negative integer");
        }
        return value;
    }

    /**
     * The CLI posts wait before start and does not go on until the headers arrive, so they are
     * sent and flushed at once; the body {@code {"StatusCode":N,"Error":null}} follows when the
     * condition holds. A client that goes before then ends the wait (no thread or slot is left
     * waiting for a container that may never stop).
     */
    private void await(Exchange ex) throws EngineException, IOException {
        WaitCondition condition = condition(ex.query("condition"));
        CompletableFuture<Integer> exit = backend.waitContainer(ex.path("id"), condition);
        CompletableFuture<Void> gone = ex.clientGone();
        OutputStream body = ex.response().startChunked(200, "application/json");
        ObjectNode result = Json.object();
        try {
            CompletableFuture.anyOf(exit, gone).get();
            if (!exit.isDone()) {
                return; // the client went before the condition held: nobody to tell
            }
            result.put("StatusCode", exit.get()).putNull("Error");
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            result.put("StatusCode", -1).putObject("Error").put("Message", String.valueOf(cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for container " + ex.path("id"), e);
        }
        body.write((result + "\n").getBytes(StandardCharsets.UTF_8));
        body.close();
    }

    static WaitCondition condition(String condition) throws EngineException {
        return switch (condition == null ? "" : condition) {
            case "", "not-running" -> WaitCondition.NOT_RUNNING;
            case "next-exit" -> WaitCondition.NEXT_EXIT;
            case "removed" -> WaitCondition.REMOVED;
            default -> throw EngineException.invalid("invalid condition: \"" + condition
                    + "\": expected not-running, next-exit or removed");
        };
    }
}
