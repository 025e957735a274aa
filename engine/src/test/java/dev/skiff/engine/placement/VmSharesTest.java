package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.FakeVmDriver;
import dev.skiff.virtiofs.host.InProcessBackends;
import dev.skiff.vm.VmConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which transport a share gets: virtio-fs only where the daemon prefers it and the VM's RAM is
 * shared memory, 9P otherwise (a VM an older daemon booted, another host); the storage id says
 * which, for inspect and for a later daemon; a virtio-fs share whose device or back-end is gone
 * is refused with what to do (the share host's own tests cover one taken up again).
 */
class VmSharesTest {
    @TempDir
    Path dir;
    private FakeVm vm;
    private AgentClient agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (vm != null) {
            vm.close();
        }
    }

    private VmShares shares(ShareTransport preferred) throws IOException {
        vm = new FakeVmDriver(dir.resolve("v")).start(VmConfig.of(Placement.SHARED_NAME, dir.resolve("k"), dir.resolve("i"),
                List.of(), List.of(), List.of(GuestPaths.AGENT_PORT)));
        agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
        return new VmShares(vm.name(), vm, agent, new FileSharing(preferred, new InProcessBackends()));
    }

    @Test
    void aVmWithoutSharedMemoryServesOverNinePWhateverThePreference() throws Exception {
        VmShares s = shares(ShareTransport.VIRTIO_FS);
        assertEquals(ShareTransport.NINE_P, s.transport(), "the fake VM's RAM is not shared memory");
        Path folder = Files.createDirectories(dir.resolve("folder"));
        String id = s.share(folder, false, null, null);
        assertTrue(id.startsWith("share-"), id);
        assertEquals(ShareTransport.NINE_P, VmShares.transportOf(id));
        assertEquals(List.of("p9." + id.substring("share-".length())), vm.hotpluggedChannels());
        s.unplug(id);
        assertEquals(List.of(), vm.hotpluggedChannels(), "its port went with it");
    }

    @Test
    void pastTheVirtioFsSlotsSharesGoOverNinePAndBackWhenOneIsFree() throws Exception {
        VmShares s = shares(ShareTransport.VIRTIO_FS);
        vm.shareMemory();
        assertEquals(ShareTransport.VIRTIO_FS, s.transport());
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < dev.skiff.vm.Vm.FILESYSTEM_SLOTS; i++) {
            ids.add(s.share(Files.createDirectories(dir.resolve("f" + i)), false, null, null));
        }
        assertTrue(ids.stream().allMatch(id -> id.startsWith("vfs-")), ids.toString());
        assertEquals(dev.skiff.vm.Vm.FILESYSTEM_SLOTS, vm.hotpluggedFilesystems().size());
        String overflow = s.share(Files.createDirectories(dir.resolve("more")), false, null, null);
        assertTrue(overflow.startsWith("share-"), "the bridge is full: 9P, not a failed start: " + overflow);
        s.unplug(ids.getFirst());
        String again = s.share(Files.createDirectories(dir.resolve("again")), false, null, null);
        assertTrue(again.startsWith("vfs-"), "a slot was freed: " + again);
        s.closeAll();
        assertEquals(List.of(), vm.hotpluggedFilesystems());
        assertEquals(List.of(), vm.hotpluggedChannels());
    }

    @Test
    void storageIdsNameTheirTransport() {
        assertEquals(ShareTransport.VIRTIO_FS, VmShares.transportOf("vfs-3"));
        assertEquals(ShareTransport.NINE_P, VmShares.transportOf("share-3"));
        assertEquals("virtiofs", ShareTransport.VIRTIO_FS.label());
        assertEquals(ShareTransport.VIRTIO_FS, ShareTransport.of("virtiofs"));
        assertThrows(IllegalArgumentException.class, () -> ShareTransport.of("virtio-fs"));
        assertEquals("virtiofs", UtilityVm.bindTransport("vfs-3"), "as docker inspect shows it");
        assertEquals("9p", UtilityVm.bindTransport("share-3"));
        assertEquals("socket", UtilityVm.bindTransport("sock-0123456789abcdef"));
    }

    @Test
    void aVirtioFsShareWhoseDeviceIsGoneIsRefusedWithWhatToDo() throws Exception {
        VmShares s = shares(ShareTransport.VIRTIO_FS);
        IOException e = assertThrows(IOException.class, () -> s.reshare("vfs-1", dir, false, null, null));
        assertTrue(e.getMessage().contains("restart the container"), e.getMessage());
    }
}
