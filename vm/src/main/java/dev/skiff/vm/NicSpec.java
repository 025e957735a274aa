package dev.skiff.vm;

import java.util.regex.Pattern;

/**
 * A network card hot-plugged into a running VM whose other end is a stream socket the
 * hypervisor listens on (QEMU's {@code -netdev stream}: each Ethernet frame as a 4-byte
 * big-endian length and the frame). Whoever connects to {@link Vm#nicSocket} carries the VM's
 * frames; the card's link is down while nobody is connected, and a new connection takes over.
 *
 * @param name short id, unique in the VM: [a-z0-9]{1,15}
 * @param mac the card's MAC, six lower-case hex pairs
 */
public record NicSpec(String name, String mac) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,15}");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    public NicSpec {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("NIC name must be 1-15 of [a-z0-9]: " + name);
        }
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("NIC MAC must be six lower-case hex pairs: " + mac);
        }
    }
}
