package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.Backend.ContainerDetail;
import dev.skiff.engine.api.Backend.ContainerState;
import dev.skiff.engine.api.Backend.ContainerSummary;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.EndpointInfo;
import dev.skiff.engine.api.Backend.EndpointRequest;
import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.Backend.NetworkState;
import dev.skiff.engine.api.Backend.PortBinding;
import dev.skiff.engine.api.Backend.PublishedPort;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Docker's container shapes, API 1.47: the body of {@code POST /containers/create} (its
 * ContainerConfig with a HostConfig inside) to a {@link CreateSpec}, and a container back to
 * {@code ContainerInspectResponse} (docker inspect) and {@code ContainerSummary} (docker ps).
 */
final class ContainerJson {
    /** dockerd's container name rule (daemon/names), with the optional leading '/'. */
    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private ContainerJson() {
    }

    /** The name of {@code ?name=}, without its '/', or null for none; a bad name is a 400. */
    static String name(String name) throws EngineException {
        if (name == null || name.isEmpty()) {
            return null;
        }
        if (!NAME.matcher(name).matches()) {
            throw EngineException.invalid("Invalid container name (" + name
                    + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name.substring(1) : name;
    }

    static CreateSpec createSpec(JsonNode body) throws EngineException {
        String image = Json.text(body, "Image");
        if (image.isEmpty()) {
            throw EngineException.invalid("no image given: the request's Image field is empty");
        }
        JsonNode host = Json.child(body, "HostConfig");
        List<BindMount> binds = new ArrayList<>();
        List<String> bindSpecs = Json.strings(host, "Binds");
        if (bindSpecs != null) {
            for (String bind : bindSpecs) {
                binds.add(bind(bind));
            }
        }
        Map<String, String> tmpfs = new java.util.LinkedHashMap<>();
        JsonNode mounts = host.get("Mounts");
        if (mounts != null && !mounts.isNull()) {
            if (!mounts.isArray()) {
                throw EngineException.invalid("HostConfig.Mounts must be a list");
            }
            for (JsonNode mount : mounts) {
                if (mount.isObject() && Json.text(mount, "Type").equals("tmpfs")) {
                    HostOptions.tmpfsMount(mount, tmpfs);
                } else {
                    binds.add(mount(mount));
                }
            }
        }
        // -v /path (no source): Config.Volumes; an anonymous volume unless something else is mounted there
        JsonNode volumes = body.get("Volumes");
        if (volumes != null && volumes.isObject()) {
            for (String path : (Iterable<String>) volumes::fieldNames) {
                if (!path.startsWith("/")) {
                    throw EngineException.invalid("invalid volume specification '" + path + "': the path must be absolute");
                }
                if (binds.stream().noneMatch(b -> b.containerPath().equals(path))) {
                    binds.add(BindMount.volume("", path, false, false));
                }
            }
        }
        List<String> entrypoint = Json.strings(body, "Entrypoint");
        if (entrypoint != null && entrypoint.size() == 1 && entrypoint.getFirst().isEmpty()) {
            entrypoint = List.of(); // --entrypoint "": none at all, not the image's
        }
        String stopSignal = Json.text(body, "StopSignal");
        Backend.RestartPolicy restart = restartPolicy(host);
        if (Json.bool(host, "AutoRemove") && !restart.name().equals("no")) {
            throw EngineException.invalid("conflicting options: cannot specify both --restart and --rm");
        }
        Healthcheck healthcheck = Healthcheck.fromJson(body.get("Healthcheck"));
        if (healthcheck != null) {
            healthcheck.check();
        }
        NetworkSpec network = network(body, host);
        HostOptions options = HostOptions.fromJson(host, tmpfs, network.mode());
        for (BindMount b : binds) {
            if (options.tmpfs().containsKey(b.containerPath())) {
                throw EngineException.invalid("Duplicate mount point: " + b.containerPath());
            }
        }
        return new CreateSpec(image, orEmpty(Json.strings(body, "Cmd")), entrypoint,
                orEmpty(Json.strings(body, "Env")), Json.text(body, "WorkingDir"), Json.text(body, "User"),
                Json.text(body, "Hostname"), Json.bool(body, "Tty"), Json.bool(body, "OpenStdin"),
                Json.bool(body, "StdinOnce"), Json.stringMap(body, "Labels"), List.copyOf(binds),
                Json.bool(host, "AutoRemove"), Json.text(host, "Isolation"),
                stopSignal.isEmpty() ? null : stopSignal, Json.integer(body, "StopTimeout"), network,
                restart, healthcheck, options);
    }

    /** HostConfig.RestartPolicy, checked with dockerd's words. */
    static Backend.RestartPolicy restartPolicy(JsonNode host) throws EngineException {
        JsonNode p = Json.child(host, "RestartPolicy");
        String name = Json.text(p, "Name");
        Integer max = Json.integer(p, "MaximumRetryCount");
        int retries = max == null ? 0 : max;
        switch (name) {
            case "", "no" -> {
                return Backend.RestartPolicy.NO;
            }
            case "always", "unless-stopped" -> {
                if (retries != 0) {
                    throw EngineException.invalid("invalid restart policy: maximum retry count can only be used with"
                            + " 'on-failure'");
                }
                return new Backend.RestartPolicy(name, 0);
            }
            case "on-failure" -> {
                if (retries < 0) {
                    throw EngineException.invalid("invalid restart policy: maximum retry count cannot be negative");
                }
                return new Backend.RestartPolicy(name, retries);
            }
            default -> throw EngineException.invalid("invalid restart policy: unknown policy '" + name
                    + "'; use one of 'no', 'always', 'unless-stopped', or 'on-failure'");
        }
    }

    /** NetworkMode, PortBindings, PublishAllPorts and ExtraHosts of HostConfig; ExposedPorts of the config. */
    static NetworkSpec network(JsonNode body, JsonNode host) throws EngineException {
        Map<String, List<PortBinding>> bindings = new LinkedHashMap<>();
        JsonNode pb = host.get("PortBindings");
        if (pb != null && !pb.isNull()) {
            if (!pb.isObject()) {
                throw EngineException.invalid("HostConfig.PortBindings must be an object of \"PORT/PROTO\": [bindings]");
            }
            for (var it = pb.fields(); it.hasNext(); ) {
                var e = it.next();
                List<PortBinding> list = new ArrayList<>();
                if (e.getValue() != null && !e.getValue().isNull()) {
                    if (!e.getValue().isArray()) {
                        throw EngineException.invalid("HostConfig.PortBindings[" + e.getKey() + "] must be a list");
                    }
                    for (JsonNode b : e.getValue()) {
                        if (!b.isObject()) {
                            throw EngineException.invalid("HostConfig.PortBindings[" + e.getKey() + "] entries must be objects");
                        }
                        list.add(new PortBinding(Json.text(b, "HostIp"), Json.text(b, "HostPort")));
                    }
                }
                bindings.put(e.getKey(), List.copyOf(list));
            }
        }
        List<String> exposed = new ArrayList<>();
        JsonNode ep = body.get("ExposedPorts");
        if (ep != null && !ep.isNull()) {
            if (!ep.isObject()) {
                throw EngineException.invalid("ExposedPorts must be an object of \"PORT/PROTO\": {}");
            }
            ep.fieldNames().forEachRemaining(exposed::add);
        }
        Map<String, EndpointRequest> endpoints = new LinkedHashMap<>();
        JsonNode ec = Json.child(Json.child(body, "NetworkingConfig"), "EndpointsConfig");
        for (var it = ec.fields(); it.hasNext(); ) {
            var e = it.next();
            endpoints.put(e.getKey(), endpointRequest(e.getValue()));
        }
        return new NetworkSpec(Json.text(host, "NetworkMode"), bindings, List.copyOf(exposed),
                Json.bool(host, "PublishAllPorts"), orEmpty(Json.strings(host, "ExtraHosts")), endpoints);
    }

    /** An EndpointSettings object: Aliases and IPAMConfig.IPv4Address (--network-alias, --ip). */
    static EndpointRequest endpointRequest(JsonNode e) throws EngineException {
        if (e == null || e.isNull()) {
            return EndpointRequest.NONE;
        }
        if (!e.isObject()) {
            throw EngineException.invalid("endpoint settings must be an object");
        }
        return new EndpointRequest(orEmpty(Json.strings(e, "Aliases")),
                Json.text(Json.child(e, "IPAMConfig"), "IPv4Address"));
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    /**
     * {@code -v HOST:CTR[:OPTIONS]}: a host directory, created if missing, as dockerd does for
     * -v; or {@code -v NAME:CTR[:OPTIONS]}, a named volume, created if missing.
     */
    static BindMount bind(String spec) throws EngineException {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw EngineException.invalid("invalid volume specification '" + spec + "': expected HOST:CONTAINER[:ro|rw]");
        }
        boolean volume = !parts[0].startsWith("/");
        if (volume && (parts[0].startsWith(".") || parts[0].contains("/"))) {
            throw EngineException.invalid("invalid volume specification '" + spec + "': \"" + parts[0]
                    + "\" is neither an absolute host path nor a volume name; use an absolute path for a bind mount");
        }
        if (!parts[1].startsWith("/")) {
            throw EngineException.invalid("invalid volume specification '" + spec
                    + "': the container path must be absolute");
        }
        boolean readOnly = false;
        boolean noCopy = false;
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                switch (option) {
                    case "ro" -> readOnly = true;
                    case "nocopy" -> noCopy = true;
                    case "rw", "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave" -> {
                        // SELinux labels and propagation do not apply to 9P shares
                    }
                    default -> throw EngineException.invalid("invalid volume specification '" + spec
                            + "': unknown option '" + option + "'");
                }
            }
        }
        return volume ? BindMount.volume(parts[0], parts[1], readOnly, noCopy)
                : new BindMount(parts[0], parts[1], readOnly, true);
    }

    /** {@code --mount type=bind,...}: unlike -v, the host path must exist. */
    static BindMount mount(JsonNode mount) throws EngineException {
        if (!mount.isObject()) {
            throw EngineException.invalid("HostConfig.Mounts entries must be objects");
        }
        String type = Json.text(mount, "Type");
        String source = Json.text(mount, "Source");
        String target = Json.text(mount, "Target");
        if (type.equals("volume")) {
            if (!target.startsWith("/")) {
                throw EngineException.invalid("invalid mount config for type \"volume\": invalid mount path: '" + target
                        + "' mount path must be absolute");
            }
            if (source.startsWith("/")) {
                throw EngineException.invalid("invalid mount config for type \"volume\": invalid volume name: '"
                        + source + "': use type=bind for a host path");
            }
            return BindMount.volume(source, target, Json.bool(mount, "ReadOnly"),
                    Json.bool(Json.child(mount, "VolumeOptions"), "NoCopy"));
        }
        if (!type.equals("bind")) {
            throw EngineException.invalid("mount type '" + type + "' is not supported: Skiff supports bind mounts and"
                    + " volumes");
        }
        if (!source.startsWith("/") || !target.startsWith("/")) {
            throw EngineException.invalid("invalid bind mount " + source + " -> " + target
                    + ": Source and Target must be absolute paths");
        }
        return new BindMount(source, target, Json.bool(mount, "ReadOnly"), false);
    }

    static ObjectNode inspect(ContainerDetail detail) {
        ContainerSummary s = detail.summary();
        CreateSpec spec = detail.spec();
        List<String> argv = argv(s, spec);
        ObjectNode json = Json.object()
                .put("Id", s.id())
                .put("Created", Json.time(s.created()))
                .put("Path", argv.isEmpty() ? "" : argv.getFirst());
        json.set("Args", Json.array(argv.isEmpty() ? List.of() : argv.subList(1, argv.size())));
        json.set("State", state(s.state()));
        json.put("Image", s.imageId())
                .put("ResolvConfPath", "")
                .put("HostnamePath", "")
                .put("HostsPath", "")
                .put("LogPath", detail.logPath() == null ? "" : detail.logPath())
                .put("Name", "/" + primaryName(s))
                .put("RestartCount", detail.restartCount())
                .put("Driver", "skiff")
                .put("Platform", "linux")
                .put("MountLabel", "")
                .put("ProcessLabel", "")
                .put("AppArmorProfile", "");
        json.set("ExecIDs", detail.execIds() == null || detail.execIds().isEmpty() ? null : Json.array(detail.execIds()));
        json.set("HostConfig", hostConfig(spec));
        json.putObject("GraphDriver").put("Name", "skiff").putNull("Data");
        json.set("Mounts", mounts(spec.binds(), detail.bindTransports()));
        json.set("Config", config(spec));
        json.set("NetworkSettings", networkSettings(s.network(), spec.networkOrDefault()));
        return json;
    }

    /**
     * Docker's NetworkSettings: the address on each network while the container runs, and Ports
     * with every exposed or published port, the published ones with their real host ports.
     */
    static ObjectNode networkSettings(NetworkState state, NetworkSpec spec) {
        ObjectNode n = Json.object();
        n.put("Bridge", "").put("SandboxID", state.sandboxKey().isEmpty() ? "" : state.sandboxKey())
                .put("SandboxKey", state.sandboxKey()).put("HairpinMode", false)
                .put("LinkLocalIPv6Address", "").put("LinkLocalIPv6PrefixLen", 0);
        ObjectNode ports = n.putObject("Ports");
        boolean own = !state.mode().equals("host") && !state.mode().equals("none") && !state.mode().startsWith("container:");
        if (own) {
            for (String exposed : spec.exposedPorts()) {
                ports.putNull(exposed.contains("/") ? exposed : exposed + "/tcp");
            }
            for (String key : spec.portBindings().keySet()) {
                ports.putNull(key.contains("/") ? key : key + "/tcp");
            }
        }
        for (PublishedPort p : state.ports()) {
            JsonNode list = ports.get(p.containerPort());
            ArrayNode arr = list instanceof ArrayNode a ? a : ports.putArray(p.containerPort());
            arr.addObject().put("HostIp", p.hostIp()).put("HostPort", Integer.toString(p.hostPort()));
        }
        n.putNull("SecondaryIPAddresses").putNull("SecondaryIPv6Addresses");
        EndpointInfo primary = state.endpoints().isEmpty() ? null : state.endpoints().getFirst();
        n.put("EndpointID", primary == null ? "" : primary.endpointId())
                .put("Gateway", primary == null ? "" : primary.gateway())
                .put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0)
                .put("IPAddress", primary == null ? "" : primary.ipAddress())
                .put("IPPrefixLen", primary == null ? 0 : primary.prefixLength())
                .put("IPv6Gateway", "")
                .put("MacAddress", primary == null ? "" : primary.macAddress());
        ObjectNode networks = n.putObject("Networks");
        if (state.endpoints().isEmpty() && !spec.mode().startsWith("container:")) {
            // Docker lists the network a stopped container is attached to, with empty addresses.
            networks.set(spec.mode(), endpoint(null, spec.mode()));
        }
        for (EndpointInfo e : state.endpoints()) {
            networks.set(e.network(), endpoint(e, e.network()));
        }
        return n;
    }

    private static ObjectNode endpoint(EndpointInfo e, String network) {
        ObjectNode o = Json.object();
        o.putNull("IPAMConfig").putNull("Links");
        o.set("Aliases", e == null || e.aliases().isEmpty() ? null : Json.array(e.aliases()));
        o.put("MacAddress", e == null ? "" : e.macAddress())
                .putNull("DriverOpts")
                .put("NetworkID", e == null ? "" : e.networkId())
                .put("EndpointID", e == null ? "" : e.endpointId())
                .put("Gateway", e == null ? "" : e.gateway())
                .put("IPAddress", e == null ? "" : e.ipAddress())
                .put("IPPrefixLen", e == null ? 0 : e.prefixLength())
                .put("IPv6Gateway", "").put("GlobalIPv6Address", "").put("GlobalIPv6PrefixLen", 0)
                .set("DNSNames", e == null || e.dnsNames().isEmpty() ? null : Json.array(e.dnsNames()));
        return o;
    }

    /**
     * The process's argv as far as the API layer knows it: the entrypoint and command given at
     * create, or, when both come from the image, the summary's command line split at spaces.
     */
    private static List<String> argv(ContainerSummary s, CreateSpec spec) {
        List<String> argv = new ArrayList<>();
        if (spec.entrypoint() != null) {
            argv.addAll(spec.entrypoint());
        }
        argv.addAll(spec.cmd());
        if (argv.isEmpty() && s.command() != null && !s.command().isBlank()) {
            argv.addAll(Arrays.asList(s.command().trim().split(" +")));
        }
        return argv;
    }

    private static ObjectNode state(ContainerState st) {
        ObjectNode state = Json.object()
                .put("Status", st.status())
                .put("Running", st.running())
                .put("Paused", "paused".equals(st.status()))
                .put("Restarting", "restarting".equals(st.status()))
                .put("OOMKilled", false)
                .put("Dead", "dead".equals(st.status()))
                .put("Pid", st.pid())
                .put("ExitCode", st.exitCode())
                .put("Error", st.error() == null ? "" : st.error())
                .put("StartedAt", Json.time(st.startedAt()))
                .put("FinishedAt", Json.time(st.finishedAt()));
        if (st.health() != null) {
            state.set("Health", st.health().toJson());
        }
        return state;
    }

    private static ObjectNode hostConfig(CreateSpec spec) {
        ObjectNode host = Json.object();
        ArrayNode binds = host.putArray("Binds");
        for (BindMount b : spec.binds()) {
            if (b.isVolume() && b.volume().length() == 64 && b.volume().matches("[0-9a-f]{64}")) {
                continue; // an anonymous volume: Docker lists it in Mounts and Config.Volumes, not in Binds
            }
            binds.add((b.isVolume() ? b.volume() : b.hostPath()) + ":" + b.containerPath() + (b.readOnly() ? ":ro" : ""));
        }
        host.putObject("LogConfig").put("Type", "json-file").putObject("Config");
        NetworkSpec net = spec.networkOrDefault();
        host.put("NetworkMode", net.mode());
        ObjectNode bindings = host.putObject("PortBindings");
        net.portBindings().forEach((port, list) -> {
            ArrayNode arr = bindings.putArray(port);
            for (PortBinding b : list) {
                arr.addObject().put("HostIp", b.hostIp() == null ? "" : b.hostIp())
                        .put("HostPort", b.hostPort() == null ? "" : b.hostPort());
            }
        });
        host.put("PublishAllPorts", net.publishAll());
        host.set("ExtraHosts", net.extraHosts().isEmpty() ? null : Json.array(net.extraHosts()));
        host.putObject("RestartPolicy").put("Name", spec.restartOrNo().name())
                .put("MaximumRetryCount", spec.restartOrNo().maximumRetryCount());
        host.put("AutoRemove", spec.autoRemove())
                .put("Isolation", spec.isolation() == null ? "" : spec.isolation());
        spec.hostOptionsOrDefault().writeTo(host);
        return host;
    }

    /**
     * The container's mounts as dockerd lists them. A running container's binds also name their
     * transport to the VM in "Driver" ("9p", "virtiofs", or "socket" for a forwarded socket), a
     * field dockerd fills only for volumes; a volume's stays its volume driver.
     */
    private static ArrayNode mounts(List<BindMount> binds, List<String> transports) {
        ArrayNode mounts = Json.array();
        for (int i = 0; i < binds.size(); i++) {
            BindMount b = binds.get(i);
            if (b.isVolume()) {
                mounts.addObject()
                        .put("Type", "volume")
                        .put("Name", b.volume())
                        .put("Source", b.hostPath() == null ? "" : b.hostPath())
                        .put("Destination", b.containerPath())
                        .put("Driver", "local")
                        .put("Mode", b.readOnly() ? "ro" : "z")
                        .put("RW", !b.readOnly())
                        .put("Propagation", "");
                continue;
            }
            ObjectNode m = mounts.addObject()
                    .put("Type", "bind")
                    .put("Source", b.hostPath())
                    .put("Destination", b.containerPath());
            if (transports.size() == binds.size()) {
                m.put("Driver", transports.get(i));
            }
            m.put("Mode", b.readOnly() ? "ro" : "")
                    .put("RW", !b.readOnly())
                    .put("Propagation", "rprivate");
        }
        return mounts;
    }

    /**
     * Docker's container Config. CreateSpec does not keep the AttachStd* flags of the create
     * request; they are reported as the CLI sets them for a foreground run.
     */
    private static ObjectNode config(CreateSpec spec) {
        ObjectNode config = Json.object()
                .put("Hostname", spec.hostname() == null ? "" : spec.hostname())
                .put("Domainname", "")
                .put("User", spec.user() == null ? "" : spec.user())
                .put("AttachStdin", spec.openStdin())
                .put("AttachStdout", true)
                .put("AttachStderr", true)
                .put("Tty", spec.tty())
                .put("OpenStdin", spec.openStdin())
                .put("StdinOnce", spec.stdinOnce());
        config.set("Env", Json.array(spec.env()));
        config.set("Cmd", Json.array(spec.cmd()));
        if (spec.healthcheck() != null) {
            config.set("Healthcheck", spec.healthcheck().toJson());
        }
        List<String> exposed = spec.networkOrDefault().exposedPorts();
        if (exposed.isEmpty()) {
            config.putNull("ExposedPorts");
        } else {
            ObjectNode ports = config.putObject("ExposedPorts");
            exposed.forEach(ports::putObject);
        }
        config.put("Image", spec.image()).putNull("Volumes")
                .put("WorkingDir", spec.workingDir() == null ? "" : spec.workingDir());
        config.set("Entrypoint", Json.arrayOrNull(spec.entrypoint()));
        config.putNull("OnBuild");
        config.set("Labels", Json.object(spec.labels()));
        if (spec.stopSignal() != null) {
            config.put("StopSignal", spec.stopSignal());
        }
        if (spec.stopTimeout() != null) {
            config.put("StopTimeout", spec.stopTimeout());
        }
        return config;
    }

    static ObjectNode summary(ContainerSummary s, Instant now) {
        ObjectNode json = Json.object().put("Id", s.id());
        ArrayNode names = json.putArray("Names");
        for (String name : s.names()) {
            names.add(name.startsWith("/") ? name : "/" + name);
        }
        json.put("Image", s.image())
                .put("ImageID", s.imageId())
                .put("Command", s.command() == null ? "" : s.command())
                .put("Created", s.created() == null ? 0 : s.created().getEpochSecond());
        ArrayNode ports = json.putArray("Ports");
        for (PublishedPort p : s.network().ports()) {
            String[] key = p.containerPort().split("/");
            ports.addObject().put("IP", p.hostIp()).put("PrivatePort", Integer.parseInt(key[0]))
                    .put("PublicPort", p.hostPort()).put("Type", key.length > 1 ? key[1] : "tcp");
        }
        json.set("Labels", Json.object(s.labels()));
        json.put("State", s.state().status())
                .put("Status", ContainerStatus.describe(s.state(), now));
        json.putObject("HostConfig").put("NetworkMode", s.network().mode());
        ObjectNode networks = json.putObject("NetworkSettings").putObject("Networks");
        for (EndpointInfo e : s.network().endpoints()) {
            networks.set(e.network(), endpoint(e, e.network()));
        }
        json.putArray("Mounts");
        return json;
    }

    private static String primaryName(ContainerSummary s) {
        if (s.names() == null || s.names().isEmpty()) {
            return s.id().substring(0, Math.min(12, s.id().length()));
        }
        String name = s.names().getFirst();
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
