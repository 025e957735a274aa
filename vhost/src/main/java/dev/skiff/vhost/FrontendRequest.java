package dev.skiff.vhost;

import dev.skiff.sys.Fds;
import java.util.List;

/**
 * The requests a vhost-user-fs back-end gets from QEMU 7.2, one record each ("Front-end message
 * types"). A record that carries descriptors owns them until the back-end takes them over;
 * {@link #closeFds} releases them when it does not.
 */
public sealed interface FrontendRequest {
    /** Closes any descriptors this request carries. */
    default void closeFds() {}

    record GetFeatures() implements FrontendRequest {}

    record SetFeatures(long features) implements FrontendRequest {}

    record SetOwner() implements FrontendRequest {}

    /** Deprecated in the spec; treated as a reset of every ring. */
    record ResetOwner() implements FrontendRequest {}

    record GetProtocolFeatures() implements FrontendRequest {}

    record SetProtocolFeatures(long features) implements FrontendRequest {}

    /** Guest memory: one descriptor per region, in the same order. */
    record SetMemTable(List<MemoryRegionInfo> regions, int[] fds) implements FrontendRequest {
        public SetMemTable {
            regions = List.copyOf(regions);
            fds = fds.clone();
        }

        @Override
        public int[] fds() {
            return fds.clone();
        }

        @Override
        public void closeFds() {
            for (int fd : fds) {
                Fds.closeQuietly(fd);
            }
        }
    }

    record SetVringNum(int index, int num) implements FrontendRequest {}

    /**
     * Ring addresses in the front-end's (QEMU's) address space ("Vring address description"):
     * {@code u32 index, u32 flags, u64 descriptor, u64 used, u64 available, u64 log}.
     */
    record SetVringAddr(int index, int flags, long descriptor, long used, long available, long log)
            implements FrontendRequest {}

    /** The next avail index to process. */
    record SetVringBase(int index, int base) implements FrontendRequest {}

    /** Stops the ring; the reply carries its next avail index. */
    record GetVringBase(int index) implements FrontendRequest {}

    /** The eventfd the driver kicks; {@code fd} is -1 for the "no fd" flag (polling). */
    record SetVringKick(int index, int fd) implements FrontendRequest {
        @Override
        public void closeFds() {
            Fds.closeQuietly(fd);
        }
    }

    /** The eventfd the device signals when it used buffers; -1 for none. */
    record SetVringCall(int index, int fd) implements FrontendRequest {
        @Override
        public void closeFds() {
            Fds.closeQuietly(fd);
        }
    }

    /** The eventfd the device signals on a ring error; -1 for none. */
    record SetVringErr(int index, int fd) implements FrontendRequest {
        @Override
        public void closeFds() {
            Fds.closeQuietly(fd);
        }
    }

    record GetQueueNum() implements FrontendRequest {}

    record SetVringEnable(int index, boolean enable) implements FrontendRequest {}

    /** Reads {@code size} bytes of config space at {@code offset}. */
    record GetConfig(int offset, int size, int flags) implements FrontendRequest {}

    record GetMaxMemSlots() implements FrontendRequest {}
}
