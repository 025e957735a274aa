package dev.skiff.agent;

import dev.skiff.sys.Clock;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Power;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the agent does for VM templates (a snapshot of this booted VM that later VMs start from):
 * before the snapshot, keep little in memory and nothing cached from the template's own disks;
 * in every VM started from it, take the host's wall clock (the guest's resumed where the
 * template's stopped). The kernel reseeds its random generator itself when the VM generation ID
 * changes (QEMU's vmgenid device), and the boot id is first read after the start, so each clone
 * draws its own.
 */
public interface VmTemplating {
    void prepare() throws IOException;

    void setClock(long unixNanos) throws IOException;

    /** The agent as PID 1 of a utility VM. */
    VmTemplating GUEST = new VmTemplating() {
        @Override
        public void prepare() throws IOException {
            Power.sync();
            System.gc(); // the agent's own garbage, before the kernel's caches
            // 3: the page cache and reclaimable slab (dentries, inodes); then compaction, so that
            // free page reporting returns whole 2 MiB blocks the template then does not hold
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            Files.writeString(Path.of("/proc/sys/vm/compact_memory"), "1");
        }

        @Override
        public void setClock(long unixNanos) throws ErrnoException {
            Clock.setRealtime(unixNanos);
            dev.skiff.guest.Main.endByRestart(); // only a VM from a template is told the time
        }
    };

    /** An agent that is not a VM's init (tests on the host): refuses both. */
    VmTemplating NONE = new VmTemplating() {
        @Override
        public void prepare() throws IOException {
            throw new IOException("not a utility VM's agent: no template to prepare");
        }

        @Override
        public void setClock(long unixNanos) throws IOException {
            throw new IOException("not a utility VM's agent: the clock is the host's");
        }
    };
}
