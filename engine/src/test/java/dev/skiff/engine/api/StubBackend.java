package dev.skiff.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An in-memory {@link Backend} that stands in for the engine in the HTTP layer's tests; the engine
 * itself is tested end to end elsewhere. Its "processes" are tiny programs chosen by argv[0]:
 * {@code echo ARGS} prints its arguments, {@code cat} copies stdin to stdout until stdin closes,
 * {@code fail} prints "oops" on stderr and exits 3, {@code sleep} runs until it is killed.
 */
final class StubBackend implements Backend {
    static final String BUSYBOX_ID = "sha256:" + "b".repeat(64);

    /** Output of one process: frames kept for replay, readers block until more arrive or it ends. */
    static final class Proc {
        final List<String> argv;
        final boolean tty;
        private final List<Object[]> frames = new ArrayList<>();
        private boolean ended;
        private int exitCode;
        private Runnable onExit = () -> {};
        private final java.io.PipedOutputStream stdin = new java.io.PipedOutputStream();
        private final java.io.PipedInputStream stdinReader;

        Proc(List<String> argv, boolean tty) {
            this.argv = argv;
            this.tty = tty;
            try {
                stdinReader = new java.io.PipedInputStream(stdin, 64 * 1024);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        synchronized void write(StreamType type, String text) {
            frames.add(new Object[] {tty ? StreamType.STDOUT : type, text.getBytes(StandardCharsets.UTF_8)});
            notifyAll();
        }

        void start(Runnable onExit) {
            this.onExit = onExit;
            Thread.ofVirtual().start(this::run);
        }

        private void run() {
            String program = argv.isEmpty() ? "" : argv.getFirst();
            switch (program) {
                case "echo" -> {
                    write(StreamType.STDOUT, String.join(" ", argv.subList(1, argv.size())) + "\n");
                    end(0);
                }
                case "cat" -> {
                    byte[] buffer = new byte[4096];
                    try {
                        int n;
                        while ((n = stdinReader.read(buffer)) >= 0) {
                            write(StreamType.STDOUT, new String(buffer, 0, n, StandardCharsets.UTF_8));
                        }
                    } catch (IOException e) {
                        // the pipe broke: treat as end of input
                    }
                    end(0);
                }
                case "fail" -> {
                    write(StreamType.STDERR, "oops\n");
                    end(3);
                }
                case "sleep" -> {
                    // runs until kill() ends it
                }
                default -> {
                    write(StreamType.STDERR, program + ": not found\n");
                    end(127);
                }
            }
        }

        synchronized void end(int code) {
            if (ended) {
                return;
            }
            ended = true;
            exitCode = code;
            notifyAll();
            onExit.run();
        }

        synchronized boolean ended() {
            return ended;
        }

        synchronized int exitCode() {
            return exitCode;
        }

        /** Copies frames from {@code from} on to the sink; with follow, until the process ends. */
        void copy(int from, boolean follow, FrameSink sink) throws IOException {
            copy(from, follow, () -> false, sink);
        }

        /** {@link #copy(int, boolean, FrameSink)} that also ends when {@code stopped} (checked when woken). */
        void copy(int from, boolean follow, java.util.function.BooleanSupplier stopped, FrameSink sink)
                throws IOException {
            int next = from;
            while (true) {
                Object[] frame;
                synchronized (this) {
                    if (stopped.getAsBoolean()) {
                        return;
                    }
                    while (next == frames.size() && follow && !ended && !stopped.getAsBoolean()) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            throw new InterruptedIOException();
                        }
                    }
                    if (next == frames.size()) {
                        return;
                    }
                    frame = frames.get(next++);
                }
                byte[] data = (byte[]) frame[1];
                sink.frame((StreamType) frame[0], data, 0, data.length);
            }
        }

        synchronized int size() {
            return frames.size();
        }

        Attachment attachment(boolean withStdin, boolean logs, boolean stream) {
            int from = logs ? 0 : size();
            return new Attachment() {
                @Override
                public boolean tty() {
                    return tty;
                }

                @Override
                public OutputStream stdin() {
                    return withStdin ? stdin : null;
                }

                @Override
                public void pump(FrameSink sink) throws IOException {
                    copy(from, stream, sink);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    static final class Container {
        final String id;
        String name;
        final CreateSpec spec;
        final Instant created = Instant.now().minusSeconds(10);
        Proc proc;
        String status = "created";
        boolean paused;
        Instant startedAt;
        Instant finishedAt;
        final List<CompletableFuture<Integer>> nextExit = new ArrayList<>();
        final CompletableFuture<Integer> removed = new CompletableFuture<>();

        Container(String id, String name, CreateSpec spec) {
            this.id = id;
            this.name = name;
            this.spec = spec;
            this.proc = new Proc(argv(spec), spec.tty());
        }

        static List<String> argv(CreateSpec spec) {
            List<String> argv = new ArrayList<>(spec.entrypoint() == null ? List.of() : spec.entrypoint());
            argv.addAll(spec.cmd());
            return argv;
        }
    }

    final Map<String, Container> containers = new ConcurrentHashMap<>();
    final Map<String, ImageDetail> images = new ConcurrentHashMap<>();
    final Map<String, Object[]> execs = new ConcurrentHashMap<>(); // id -> {containerId, spec, proc}
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Completed when the server closes an archive read: after the reply's last byte, so a test must wait for it. */
    final CompletableFuture<Void> archiveClosed = new CompletableFuture<>();
    volatile CreateSpec lastCreate;
    volatile Map<String, String> lastChanges;
    volatile ContainerUpdate lastUpdate;
    private int counter;

    StubBackend() {
        addImage("busybox:latest", BUSYBOX_ID);
    }

    void addImage(String ref, String id) {
        ImageSummary summary = new ImageSummary(id, List.of(ref), List.of(), Instant.parse("2024-01-02T03:04:05Z"),
                1234, Map.of());
        ImageConfig config = new ImageConfig(List.of("PATH=/bin"), null, List.of("sh"), "", "", Map.of(), List.of());
        images.put(ref, new ImageDetail(summary, "linux", "amd64", config, List.of("sha256:" + "d".repeat(64))));
    }

    private synchronized String newId() {
        counter++;
        return String.format("%064x", counter * 7919L + 0xabc000L);
    }

    Container container(String ref) throws EngineException {
        for (Container c : containers.values()) {
            if (c.id.equals(ref) || c.name.equals(ref) || (ref.length() >= 3 && c.id.startsWith(ref))) {
                return c;
            }
        }
        throw EngineException.notFound("No such container: " + ref);
    }

    @Override
    public VersionInfo version() {
        return new VersionInfo("0.1.0", "1.47", "1.24", "linux", "amd64", "6.1.0-stub");
    }

    @Override
    public SystemInfo info() {
        List<VmInfo> vms = List.of(new VmInfo("skiff-shared", "shared", "boot-1", 4242, List.copyOf(containers.keySet())));
        long running = containers.values().stream().filter(c -> c.status.equals("running")).count();
        return new SystemInfo(containers.size(), (int) running, 0, containers.size() - (int) running, images.size(),
                "stubhost", 8L << 30, 4, "/var/lib/skiff", vms);
    }

    @Override
    public List<ImageSummary> images() {
        return images.values().stream().map(ImageDetail::summary).toList();
    }

    @Override
    public ImageDetail inspectImage(String ref) throws EngineException {
        if (ref.equals("a-bug")) {
            throw new IllegalStateException("the stub's own bug");
        }
        ImageDetail d = images.get(ref.contains(":") || ref.startsWith("sha256") ? ref : ref + ":latest");
        if (d == null) {
            d = images.values().stream().filter(i -> i.summary().id().equals(ref)).findFirst().orElse(null);
        }
        if (d == null) {
            throw EngineException.notFound("No such image: " + ref);
        }
        return d;
    }

    /** The "archive" is text: one image name per line. */
    @Override
    public List<String> loadImages(InputStream archive, Consumer<String> progress) throws EngineException, IOException {
        String text = new String(archive.readAllBytes(), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.equals("corrupt")) {
                throw EngineException.invalid("failed to load images: archive is not a tar file");
            }
            progress.accept("Loading layer for " + line.trim());
            addImage(line.trim(), "sha256:" + "e".repeat(64));
            names.add(line.trim());
        }
        return names;
    }

    @Override
    public String importImage(InputStream rootfsTar, String repo, String tag, Map<String, String> changes,
                              Consumer<String> progress) throws IOException {
        long size = rootfsTar.transferTo(OutputStream.nullOutputStream());
        lastChanges = changes;
        String id = "sha256:" + "f".repeat(64);
        addImage(repo + ":" + (tag.isEmpty() ? "latest" : tag), id);
        calls.add("import " + repo + " " + tag + " " + size);
        return id;
    }

    /** What the next pull does after its first message: nothing, or fail with this. */
    volatile EngineException pullFailure;

    @Override
    public String pullImage(String ref, String platform, String registryAuth, Progress progress)
            throws EngineException {
        calls.add("pull " + ref + " platform=" + platform + " auth=" + registryAuth);
        if (ref.contains("nosuch")) {
            throw EngineException.notFound("manifest for " + ref + " not found: manifest unknown");
        }
        progress.message("latest", "Pulling from test/img");
        progress.layer("0123456789ab", "Pulling fs layer");
        progress.layer("0123456789ab", "Downloading", 100, 200);
        if (pullFailure != null) {
            throw pullFailure;
        }
        progress.layer("0123456789ab", "Pull complete");
        progress.message(null, "Status: Downloaded newer image for " + ref);
        return "sha256:" + "e".repeat(64);
    }

    @Override
    public void pushImage(String name, String tag, String registryAuth, Progress progress) throws EngineException {
        calls.add("push " + name + " " + tag + " auth=" + registryAuth);
        inspectImage(name + ":" + (tag == null || tag.isEmpty() ? "latest" : tag));
        progress.message(null, "The push refers to repository [docker.io/library/" + name + "]");
        progress.layer("0123456789ab", "Pushed");
        progress.aux(java.util.Map.of("Tag", tag == null ? "latest" : tag)); // no tag: latest, as the engine
    }

    final Map<String, VolumeInfo> volumes = new java.util.LinkedHashMap<>();
    final Events events = new Events();

    @Override
    public Events events() {
        return events;
    }

    @Override
    public List<VolumeInfo> volumes() {
        return List.copyOf(volumes.values());
    }

    @Override
    public VolumeInfo inspectVolume(String name) throws EngineException {
        VolumeInfo v = volumes.get(name);
        if (v == null) {
            throw EngineException.notFound("get " + name + ": no such volume");
        }
        return v;
    }

    @Override
    public VolumeInfo createVolume(String name, String driver, Map<String, String> labels,
                                   Map<String, String> options) {
        calls.add("volume create " + name + " " + labels);
        return volumes.computeIfAbsent(name, n -> new VolumeInfo(n, "/var/lib/skiff/volumes/" + n + "/_data",
                Instant.parse("2026-01-01T00:00:00Z"), Map.copyOf(labels), List.of()));
    }

    @Override
    public void removeVolume(String name, boolean force) throws EngineException {
        if (volumes.remove(name) == null && !force) {
            throw EngineException.notFound("get " + name + ": no such volume");
        }
    }

    @Override
    public List<String> pruneVolumes(List<String> labels, boolean all) {
        calls.add("volume prune " + labels + " all=" + all);
        return List.of();
    }

    @Override
    public void saveImages(List<String> names, OutputStream out) throws EngineException, IOException {
        if (names.contains("a-full-disk")) {
            throw new IOException("No space left on device");
        }
        for (String n : names) {
            inspectImage(n);
        }
        calls.add("save " + names);
        out.write(("archive of " + names).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String login(dev.skiff.registry.Credentials credentials) throws EngineException {
        calls.add("login " + credentials.serverAddress() + " " + credentials.username());
        if (!"right".equals(credentials.password())) {
            throw new EngineException(EngineException.Kind.UNAUTHORIZED,
                    "login attempt to http://" + credentials.serverAddress() + "/v2/ failed with status: 401 Unauthorized");
        }
        return null;
    }

    @Override
    public void tagImage(String ref, String repo, String tag) throws EngineException {
        addImage(repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag), inspectImage(ref).summary().id());
        calls.add("tag " + ref + " " + repo + " " + tag);
    }

    @Override
    public List<Map<String, String>> removeImage(String ref, boolean force) throws EngineException {
        ImageDetail d = inspectImage(ref);
        images.values().remove(d);
        List<Map<String, String>> lines = new ArrayList<>();
        lines.add(Map.of("Untagged", ref));
        lines.add(Map.of("Deleted", d.summary().id()));
        return lines;
    }

    @Override
    public String createContainer(String name, CreateSpec spec) throws EngineException {
        lastCreate = spec;
        inspectImage(spec.image());
        String id = newId();
        String n = name == null ? "stub_" + id.substring(58) : name;
        for (Container c : containers.values()) {
            if (c.name.equals(n)) {
                throw EngineException.conflict("Conflict. The container name \"/" + n
                        + "\" is already in use by container \"" + c.id + "\".");
            }
        }
        containers.put(id, new Container(id, n, spec));
        return id;
    }

    @Override
    public void startContainer(String ref) throws EngineException {
        Container c = container(ref);
        synchronized (c) {
            if (c.status.equals("running")) {
                throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
            }
            if (c.status.equals("exited")) {
                c.proc = new Proc(Container.argv(c.spec), c.spec.tty());
            }
            c.status = "running";
            c.startedAt = Instant.now();
        }
        c.proc.start(() -> exited(c));
    }

    private void exited(Container c) {
        List<CompletableFuture<Integer>> waiters;
        synchronized (c) {
            c.status = "exited";
            c.paused = false;
            c.finishedAt = Instant.now();
            waiters = new ArrayList<>(c.nextExit);
            c.nextExit.clear();
        }
        int code = c.proc.exitCode();
        waiters.forEach(w -> w.complete(code));
        if (c.spec.autoRemove()) {
            containers.remove(c.id);
            c.removed.complete(code);
        }
    }

    @Override
    public ContainerDetail inspectContainer(String id) throws EngineException {
        Container c = container(id);
        return new ContainerDetail(summary(c), c.spec, "/var/lib/skiff/containers/" + c.id + "/log.json", List.of(),
                0);
    }

    private ContainerSummary summary(Container c) {
        synchronized (c) {
            ContainerState state = new ContainerState(c.paused ? "paused" : c.status, c.status.equals("running"),
                    c.status.equals("running") ? 100 : 0, c.status.equals("exited") ? c.proc.exitCode() : 0, "",
                    c.startedAt, c.finishedAt);
            return new ContainerSummary(c.id, List.of("/" + c.name), c.spec.image(),
                    inspectImageId(c.spec.image()), String.join(" ", Container.argv(c.spec)), c.created, state,
                    c.spec.labels(), "skiff-shared", Backend.NetworkState.idle(c.spec.networkOrDefault().mode()),
                    "hyperv".equals(c.spec.isolation()));
        }
    }

    private String inspectImageId(String ref) {
        try {
            return inspectImage(ref).summary().id();
        } catch (EngineException e) {
            return "";
        }
    }

    @Override
    public List<ContainerSummary> listContainers(boolean all) {
        return containers.values().stream().filter(c -> all || c.status.equals("running")).map(this::summary).toList();
    }

    @Override
    public CompletableFuture<Integer> waitContainer(String id, WaitCondition condition) throws EngineException {
        Container c = container(id);
        calls.add("wait " + condition);
        synchronized (c) {
            return switch (condition) {
                case NOT_RUNNING -> {
                    if (!c.status.equals("running")) {
                        yield CompletableFuture.completedFuture(c.status.equals("exited") ? c.proc.exitCode() : 0);
                    }
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    c.nextExit.add(f);
                    yield f;
                }
                case NEXT_EXIT -> {
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    c.nextExit.add(f);
                    yield f;
                }
                case REMOVED -> c.removed;
            };
        }
    }

    @Override
    public void stopContainer(String id, Integer timeoutSeconds, String signal) throws EngineException {
        Container c = container(id);
        calls.add("stop " + timeoutSeconds + " " + signal);
        if (!c.status.equals("running")) {
            throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already stopped");
        }
        c.proc.end(137);
    }

    @Override
    public void killContainer(String id, String signal) throws EngineException {
        Container c = container(id);
        calls.add("kill " + signal);
        if (!c.status.equals("running")) {
            throw EngineException.conflict("Cannot kill container: " + id + ": container is not running");
        }
        c.proc.end(137);
    }

    @Override
    public void renameContainer(String id, String newName) throws EngineException {
        Container c = container(id);
        calls.add("rename " + c.name + " " + newName);
        c.name = newName;
    }

    @Override
    public void removeContainer(String id, boolean force, boolean volumes) throws EngineException {
        Container c = container(id);
        if (c.status.equals("running")) {
            if (!force) {
                throw EngineException.conflict("cannot remove container \"/" + c.name
                        + "\": container is running: stop the container before removing or force remove");
            }
            c.proc.end(137);
        }
        containers.remove(c.id);
        c.removed.complete(c.proc.exitCode());
    }

    /** docker cp's files by path; a read's "tar" is the content itself (the stub does not tar). */
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    volatile byte[] extracted;

    private byte[] file(String id, String path) throws EngineException {
        container(id);
        byte[] f = files.get(path);
        if (f == null) {
            throw EngineException.notFound("Could not find the file " + path + " in container " + id);
        }
        return f;
    }

    private static PathStat stubStat(String path, byte[] f) {
        return new PathStat(path.substring(path.lastIndexOf('/') + 1), f.length, 0644,
                Instant.ofEpochSecond(1_700_000_000L, 120_000_000), "");
    }

    @Override
    public PathStat statPath(String id, String path) throws EngineException {
        return stubStat(path, file(id, path));
    }

    @Override
    public ArchiveRead readArchive(String id, String path) throws EngineException {
        byte[] f = file(id, path);
        return new ArchiveRead() {
            @Override
            public PathStat stat() {
                return stubStat(path, f);
            }

            @Override
            public void transferTo(OutputStream out) throws IOException {
                out.write(f);
            }

            @Override
            public void close() {
                calls.add("archive closed");
                archiveClosed.complete(null);
            }
        };
    }

    @Override
    public void extractArchive(String id, String path, boolean noOverwriteDirNonDir, boolean copyUidGid, InputStream tar)
            throws EngineException, IOException {
        container(id);
        extracted = tar.readAllBytes();
        calls.add("extract " + path + " noOverwriteDirNonDir=" + noOverwriteDirNonDir + " copyUIDGID=" + copyUidGid);
    }

    @Override
    public void updateContainer(String id, ContainerUpdate update) throws EngineException {
        container(id);
        lastUpdate = update;
    }

    @Override
    public void resizeContainer(String id, int height, int width) throws EngineException {
        container(id);
        calls.add("resize " + height + "x" + width);
    }

    @Override
    public Attachment attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean logs, boolean stream)
            throws EngineException {
        Container c = container(id);
        calls.add("attach stdin=" + stdin);
        return c.proc.attachment(stdin && c.spec.openStdin(), logs, stream);
    }

    /** The logs readers pumping now, as a container's output hub counts its subscribers. */
    final java.util.concurrent.atomic.AtomicInteger logReaders = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Attachment logs(String id, LogOptions options) throws EngineException {
        Container c = container(id);
        calls.add("logs follow=" + options.follow() + " tail=" + options.tail());
        Proc proc = c.proc;
        return new Attachment() {
            private volatile boolean closed;

            @Override
            public boolean tty() {
                return c.spec.tty();
            }

            @Override
            public OutputStream stdin() {
                return null;
            }

            @Override
            public void pump(FrameSink sink) throws IOException {
                logReaders.incrementAndGet();
                try {
                    proc.copy(0, options.follow(), () -> closed, (type, data, off, len) -> {
                        if ((type == StreamType.STDOUT && options.stdout())
                                || (type == StreamType.STDERR && options.stderr())) {
                            sink.frame(type, data, off, len);
                        }
                    });
                } finally {
                    logReaders.decrementAndGet();
                }
            }

            @Override
            public void close() {
                closed = true;
                synchronized (proc) {
                    proc.notifyAll();
                }
            }
        };
    }

    @Override
    public String createExec(String containerId, ExecSpec spec) throws EngineException {
        Container c = container(containerId);
        if (!c.status.equals("running")) {
            throw EngineException.conflict("container " + c.id + " is not running");
        }
        String id = "e" + newId().substring(1);
        execs.put(id, new Object[] {c.id, spec, null});
        return id;
    }

    @Override
    public Attachment startExec(String execId, boolean detach, boolean tty) throws EngineException {
        Object[] exec = exec(execId);
        ExecSpec spec = (ExecSpec) exec[1];
        Proc proc = new Proc(spec.cmd(), spec.tty());
        exec[2] = proc;
        Attachment a = proc.attachment(spec.attachStdin(), true, true);
        proc.start(() -> {});
        return detach ? null : a;
    }

    private Object[] exec(String execId) throws EngineException {
        Object[] exec = execs.get(execId);
        if (exec == null) {
            throw EngineException.notFound("No such exec instance: " + execId);
        }
        return exec;
    }

    @Override
    public ExecDetail inspectExec(String execId) throws EngineException {
        Object[] exec = exec(execId);
        Proc proc = (Proc) exec[2];
        boolean running = proc != null && !proc.ended();
        Integer exit = proc != null && proc.ended() ? proc.exitCode() : null;
        return new ExecDetail(execId, (String) exec[0], running, exit, running ? 200 : 0, (ExecSpec) exec[1]);
    }

    @Override
    public void resizeExec(String execId, int height, int width) throws EngineException {
        exec(execId);
    }

    // ---- networks: the engine's own registry, in memory; the stub runs no containers on them

    private final dev.skiff.engine.network.NetworkRegistry networks = newRegistry();

    private static dev.skiff.engine.network.NetworkRegistry newRegistry() {
        try {
            return new dev.skiff.engine.network.NetworkRegistry(null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static NetworkInfo info(dev.skiff.engine.network.NetworkRegistry.Net n) {
        var m = n.meta();
        return new NetworkInfo(m.id(), m.name(), m.driver(), m.subnet(), m.gateway(), java.time.Instant.parse(m.created()),
                m.internal(), m.attachable(), m.labels(), m.options(), n.builtin(), java.util.Map.of());
    }

    @Override
    public List<NetworkInfo> networks() {
        return networks.all().stream().map(StubBackend::info).toList();
    }

    @Override
    public NetworkInfo inspectNetwork(String ref) throws EngineException {
        return info(networks.find(ref));
    }

    @Override
    public String createNetwork(NetworkCreate request) throws EngineException {
        return networks.create(request).id();
    }

    @Override
    public void removeNetwork(String ref) throws EngineException {
        networks.remove(ref, n -> false);
    }

    @Override
    public List<String> pruneNetworks(java.util.Map<String, List<String>> filters) {
        return List.of();
    }

    @Override
    public void connectNetwork(String network, String container, EndpointRequest endpoint) throws EngineException {
        throw new EngineException(EngineException.Kind.NOT_IMPLEMENTED, "the stub has no networks to connect");
    }

    @Override
    public void disconnectNetwork(String network, String container, boolean force) throws EngineException {
        throw new EngineException(EngineException.Kind.NOT_IMPLEMENTED, "the stub has no networks to disconnect");
    }

    // ---- processes: a running container's "sleep" is pid 100; its stats grow by one step a sample

    private long samples;

    @Override
    public ProcessList top(String id) throws EngineException {
        Container c = container(id);
        if (!c.status.equals("running")) {
            throw EngineException.conflict("Container " + c.id + " is not running");
        }
        return new ProcessList(List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"),
                List.of(List.of("root", "100", "0", "0", "10:00", "?", "00:00:00", String.join(" ", Container.argv(c.spec)))));
    }

    @Override
    public synchronized StatsSample stats(String id) throws EngineException {
        Container c = container(id);
        if (!c.status.equals("running")) {
            return StatsSample.stopped(c.id, "/" + c.name);
        }
        samples++;
        return new StatsSample(c.id, "/" + c.name, Instant.parse("2024-01-02T03:04:05Z").plusSeconds(samples),
                new StatsSample.Cpu(1000 * samples, 300 * samples, 700 * samples, 1_000_000 * samples, 2, 0, 0, 0),
                new StatsSample.Memory(4096, 1 << 30, Map.of("inactive_file", 1024L, "anon", 3072L)), 1, -1,
                List.of(new StatsSample.Io(254, 0, 512, 1024)),
                Map.of("eth0", new StatsSample.Net(10, 1, 0, 0, 20, 2, 0, 0)));
    }

    @Override
    public void pauseContainer(String id) throws EngineException {
        Container c = container(id);
        synchronized (c) {
            if (!c.status.equals("running")) {
                throw EngineException.conflict("Container " + c.id + " is not running");
            }
            if (c.paused) {
                throw EngineException.conflict("Container " + c.id + " is already paused");
            }
            c.paused = true;
        }
    }

    @Override
    public void unpauseContainer(String id) throws EngineException {
        Container c = container(id);
        synchronized (c) {
            if (!c.paused) {
                throw EngineException.conflict("Container " + c.id + " is not paused");
            }
            c.paused = false;
        }
    }
}
