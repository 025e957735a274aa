package dev.skiff.vm;

import java.util.regex.Pattern;

/**
 * A VM's network card on the hypervisor's user-mode networking (QEMU's {@code -netdev user}, that
 * is libslirp): NAT from the guest to the host and the outside with no privileges on the host,
 * and host ports forwarded into the guest at run time ({@link Vm#addHostForward}). The addresses
 * are the user network's: the guest's own, the host's alias (connections to it reach the host's
 * loopback) and the DNS forwarder.
 */
public record Uplink(String mac, String network, String guest, String host, String dns) {
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public Uplink {
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("uplink MAC must be six lower-case hex pairs: " + mac);
        }
        if (!CIDR.matcher(network).matches()) {
            throw new IllegalArgumentException("uplink network must be an IPv4 CIDR: " + network);
        }
        for (String ip : new String[] {guest, host, dns}) {
            if (!IP.matcher(ip).matches()) {
                throw new IllegalArgumentException("uplink address must be IPv4: " + ip);
            }
        }
    }
}
