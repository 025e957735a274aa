package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.api.Backend.ContainerUpdate;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /containers/{id}/update} (Docker's {@code UpdateConfig}: a {@code Resources} object with
 * {@code RestartPolicy} beside its fields) to a {@link ContainerUpdate}. The CLI sends every resource field, unset
 * ones as zero, "" or null, so a field counts as asked for only when it holds something else.
 */
final class UpdateJson {
    /** The fields of moby's {@code container.Resources}, as JSON names them. */
    static final List<String> RESOURCES = List.of("CpuShares", "Memory", "NanoCpus", "CgroupParent", "BlkioWeight",
            "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
            "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus",
            "CpusetMems", "Devices", "DeviceCgroupRules", "DeviceRequests", "KernelMemory", "KernelMemoryTCP",
            "MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits",
            "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth");

    private UpdateJson() {}

    static ContainerUpdate parse(JsonNode body) throws EngineException {
        JsonNode policy = Json.child(body, "RestartPolicy");
        boolean named = !Json.text(policy, "Name").isEmpty();
        List<String> set = new ArrayList<>();
        for (String field : RESOURCES) {
            if (isSet(body.get(field))) {
                set.add(field);
            }
        }
        // An empty name leaves the policy as it is (moby's update checks RestartPolicy.Name != "").
        return new ContainerUpdate(named ? ContainerJson.restartPolicy(body) : null, List.copyOf(set));
    }

    private static boolean isSet(JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        if (v.isTextual()) {
            return !v.asText().isEmpty();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return !v.isEmpty(); // arrays and objects
    }
}
