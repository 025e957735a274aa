package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** docker update's body: the restart policy when named, and which resource fields hold a value. */
class UpdateJsonTest {
    /** What docker CLI 27 sends for {@code docker update --restart always}: every resource, zero. */
    private static final String RESTART_ALWAYS = """
            {"BlkioWeight":0,"BlkioWeightDevice":null,"CgroupParent":"","CpuShares":0,"Memory":0,"NanoCpus":0,
             "CpuPeriod":0,"CpuQuota":0,"CpusetCpus":"","CpusetMems":"","Devices":null,"DeviceCgroupRules":null,
             "DeviceRequests":null,"KernelMemory":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":null,
             "OomKillDisable":null,"PidsLimit":null,"Ulimits":null,"RestartPolicy":{"Name":"always",
             "MaximumRetryCount":0}}""";

    @Test
    void aRestartPolicyAloneIsNoResourceUpdate() throws Exception {
        Backend.ContainerUpdate u = UpdateJson.parse(Json.MAPPER.readTree(RESTART_ALWAYS));
        assertEquals(new Backend.RestartPolicy("always", 0), u.restartPolicy());
        assertEquals(List.of(), u.resources());
    }

    @Test
    void resourceFieldsWithAValueAreNamed() throws Exception {
        Backend.ContainerUpdate u = UpdateJson.parse(Json.MAPPER.readTree(RESTART_ALWAYS
                .replace("\"Memory\":0", "\"Memory\":67108864").replace("\"CpusetCpus\":\"\"", "\"CpusetCpus\":\"0\"")
                .replace("\"PidsLimit\":null", "\"PidsLimit\":-1")
                .replace("\"RestartPolicy\":{\"Name\":\"always\",", "\"RestartPolicy\":{\"Name\":\"\",")));
        assertNull(u.restartPolicy(), "an empty name leaves the policy as it is");
        assertEquals(List.of("Memory", "CpusetCpus", "PidsLimit"), u.resources());
    }

    @Test
    void aBadPolicyIsRefusedAsAtCreate() {
        assertThrows(EngineException.class, () -> UpdateJson.parse(Json.MAPPER.readTree(
                "{\"RestartPolicy\":{\"Name\":\"sometimes\"}}")));
        assertThrows(EngineException.class, () -> UpdateJson.parse(Json.MAPPER.readTree(
                "{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":3}}")));
    }
}
