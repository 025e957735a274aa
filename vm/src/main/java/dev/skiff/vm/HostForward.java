package dev.skiff.vm;

import java.util.regex.Pattern;

/**
 * A host port forwarded into a VM through its {@link Uplink}: what connects to (or, for UDP, is
 * sent to) {@code hostAddress:hostPort} on the host arrives at the guest's uplink address on
 * {@code guestPort}. {@code hostAddress} "" means every host address.
 */
public record HostForward(String protocol, String hostAddress, int hostPort, int guestPort) {
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public HostForward {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol must be tcp or udp: " + protocol);
        }
        if (!hostAddress.isEmpty() && !IP.matcher(hostAddress).matches()) {
            throw new IllegalArgumentException("host address must be IPv4 or empty: " + hostAddress);
        }
        if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("ports must be 1..65535: " + hostPort + ", " + guestPort);
        }
    }
}
