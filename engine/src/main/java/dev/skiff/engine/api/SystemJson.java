package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.SystemInfo;
import dev.skiff.engine.api.Backend.VersionInfo;
import dev.skiff.engine.api.Backend.VmInfo;
import java.util.List;

/**
 * Docker's {@code SystemVersion} and {@code SystemInfo} shapes (swagger.yaml, API 1.47). Fields
 * that make no sense for VMs get the values dockerd reports when a feature is off, so that
 * {@code docker info} prints them without complaint. The utility VMs appear as the storage
 * driver's status lines, which {@code docker info} prints under "Storage Driver: skiff".
 */
final class SystemJson {

    private SystemJson() {
    }

    /**
     * The Docker Engine release whose API (1.47) Skiff serves, reported as the engine's Version: clients read it as
     * Docker's (Testcontainers refuses a server below 1.6.0, compose checks features by it). Skiff's own version
     * is in Platform.Name and in a component of its own, as Docker Desktop reports itself.
     */
    static final String DOCKER_COMPATIBLE = "27.5.1";

    static ObjectNode version(VersionInfo v) {
        ObjectNode details = Json.object()
                .put("ApiVersion", ApiVersions.CURRENT)
                .put("Arch", v.arch())
                .put("BuildTime", "")
                .put("Experimental", "false")
                .put("GitCommit", "")
                .put("GoVersion", "")
                .put("KernelVersion", v.kernelVersion())
                .put("MinAPIVersion", minApi(v))
                .put("Os", v.os());
        ObjectNode engine = Json.object().put("Name", "Engine").put("Version", DOCKER_COMPATIBLE);
        engine.set("Details", details);
        ObjectNode root = Json.object();
        root.putObject("Platform").put("Name", "Skiff " + v.version());
        var components = root.putArray("Components");
        components.add(engine);
        components.addObject().put("Name", "skiff").put("Version", v.version());
        return root.put("Version", DOCKER_COMPATIBLE)
                .put("ApiVersion", ApiVersions.CURRENT)
                .put("MinAPIVersion", minApi(v))
                .put("GitCommit", "")
                .put("GoVersion", "")
                .put("Os", v.os())
                .put("Arch", v.arch())
                .put("KernelVersion", v.kernelVersion())
                .put("BuildTime", "");
    }

    private static String minApi(VersionInfo v) {
        return v.minApiVersion() == null ? ApiVersions.MINIMUM : v.minApiVersion();
    }

    static ObjectNode info(SystemInfo s, VersionInfo v) {
        ObjectNode info = Json.object()
                .put("ID", "")
                .put("Containers", s.containers())
                .put("ContainersRunning", s.running())
                .put("ContainersPaused", s.paused())
                .put("ContainersStopped", s.stopped())
                .put("Images", s.images())
                .put("Driver", "skiff");
        info.set("DriverStatus", driverStatus(s.vms()));
        ObjectNode plugins = info.putObject("Plugins");
        plugins.putArray("Volume");
        plugins.putArray("Network");
        plugins.putNull("Authorization");
        plugins.putArray("Log").add("json-file");
        info.put("MemoryLimit", false)
                .put("SwapLimit", false)
                .put("CpuCfsPeriod", false)
                .put("CpuCfsQuota", false)
                .put("CPUShares", false)
                .put("CPUSet", false)
                .put("PidsLimit", false)
                .put("IPv4Forwarding", false)
                .put("Debug", false)
                .put("NFd", 0)
                .put("OomKillDisable", false)
                .put("NGoroutines", 0)
                .put("SystemTime", java.time.Instant.now().toString())
                .put("LoggingDriver", "json-file")
                .put("CgroupDriver", "none")
                .put("CgroupVersion", "2")
                .put("NEventsListener", 0)
                .put("KernelVersion", v.kernelVersion())
                .put("OperatingSystem", "Skiff (Linux containers in lightweight VMs)")
                .put("OSVersion", v.version())
                .put("OSType", "linux")
                .put("Architecture", machine(v.arch()))
                .put("IndexServerAddress", "https://index.docker.io/v1/");
        ObjectNode registry = info.putObject("RegistryConfig");
        registry.putArray("InsecureRegistryCIDRs");
        registry.putObject("IndexConfigs");
        registry.putArray("Mirrors");
        info.put("NCPU", s.cpus())
                .put("MemTotal", s.memTotal())
                .putNull("GenericResources");
        info.put("DockerRootDir", s.dataRoot())
                .put("HttpProxy", "")
                .put("HttpsProxy", "")
                .put("NoProxy", "")
                .put("Name", s.name());
        info.putArray("Labels");
        info.put("ExperimentalBuild", false).put("ServerVersion", DOCKER_COMPATIBLE);
        info.putObject("Runtimes").putObject("skiff").put("path", "skiff-agent");
        info.put("DefaultRuntime", "skiff");
        info.putObject("Swarm").put("NodeID", "").put("NodeAddr", "").put("LocalNodeState", "inactive")
                .put("ControlAvailable", false).put("Error", "").putNull("RemoteManagers");
        info.put("LiveRestoreEnabled", false).put("Isolation", "").put("InitBinary", "");
        for (String commit : List.of("ContainerdCommit", "RuncCommit", "InitCommit")) {
            info.putObject(commit).put("ID", "").put("Expected", "");
        }
        info.putArray("SecurityOptions");
        info.putNull("Warnings");
        return info;
    }

    /** One [name, value] pair per VM, after a count: what {@code docker info} prints as driver status. */
    static ArrayNode driverStatus(List<VmInfo> vms) {
        ArrayNode status = Json.array();
        status.add(Json.array(List.of("Utility VMs", Integer.toString(vms.size()))));
        for (VmInfo vm : vms) {
            String line = vm.mode() + ", pid " + vm.pid() + ", " + vm.containerIds().size() + " container"
                    + (vm.containerIds().size() == 1 ? "" : "s");
            status.add(Json.array(List.of(" " + vm.name(), line)));
        }
        return status;
    }

    /** uname's machine name, which /info reports, for a Go architecture name, which /version does. */
    static String machine(String arch) {
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
    }
}
