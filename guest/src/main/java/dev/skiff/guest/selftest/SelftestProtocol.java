package dev.skiff.guest.selftest;

/**
 * Requests are one line each, {@code VERB ARG...}, UTF-8, at most {@link #MAX_LINE} bytes.
 * Each gets one reply line: {@code OK [RESULT]} or {@code ERR MESSAGE}.
 *
 * <pre>
 * PING                      -> OK BOOT_ID UPTIME_SECONDS
 * ECHO PORT                 -> OK            then echoes every byte on the port named PORT
 * MOUNT SERIAL FSTYPE DIR   -> OK DEVICE     mounts the disk with that serial read-only on DIR
 * SHA256 PATH               -> OK HEX SIZE
 * POWEROFF                  -> OK            then syncs and powers the VM off
 * </pre>
 */
public final class SelftestProtocol {
    private SelftestProtocol() {}

    /** The virtio-serial port the guest serves at boot. */
    public static final String CONTROL_PORT = "skiff.control";
    /** Longest request or reply line, in bytes, newline included. */
    public static final int MAX_LINE = 4096;

    public static final String PING = "PING", ECHO = "ECHO", MOUNT = "MOUNT", SHA256 = "SHA256",
            POWEROFF = "POWEROFF";
}
