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
 * MOUNT9P PORT ANAME DIR [ro] -> OK          mounts the 9P share the host serves on PORT at DIR
 * MOUNTVFS TAG DIR [ro]     -> OK            mounts the virtio-fs device TAG at DIR (loads the client once)
 * RUN B64ARGV               -> OK EXIT B64OUT runs a command to completion (argv NUL-separated)
 * START ID B64ARGV          -> OK PID        runs a command in the background
 * JAVA ID MAINCLASS ARG...  -> OK PID        runs a class of the guest program in a second JVM
 * WAIT ID SECONDS           -> OK EXIT B64OUT
 * KILL ID                   -> OK            sends SIGKILL
 * FS XATTR_SET PATH NAME B64VALUE | XATTR_GET PATH NAME | XATTR_LIST PATH | XATTR_REMOVE PATH NAME
 * FS LOCK ID PATH w|r START LEN | TRYLOCK PATH w|r START LEN | GETLK PATH w|r START LEN | UNLOCK ID
 * FS MMAP_WRITE PATH OFFSET B64DATA
 * </pre>
 */
public final class SelftestProtocol {
    private SelftestProtocol() {}

    /** The virtio-serial port the guest serves at boot. */
    public static final String CONTROL_PORT = "skiff.control";
    /** Longest request or reply line, in bytes, newline included. */
    public static final int MAX_LINE = 256 * 1024;

    public static final String PING = "PING", ECHO = "ECHO", MOUNT = "MOUNT", SHA256 = "SHA256",
            POWEROFF = "POWEROFF", MOUNT9P = "MOUNT9P", MOUNTVFS = "MOUNTVFS", RUN = "RUN", START = "START", JAVA = "JAVA", WAIT = "WAIT",
            KILL = "KILL", FS = "FS";

    /** An argv as one protocol word: the arguments joined by NUL, in base64. */
    public static String encodeArgv(String... argv) {
        return java.util.Base64.getEncoder().encodeToString(String.join("\0", argv)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static java.util.List<String> decodeArgv(String word) {
        return java.util.List.of(new String(java.util.Base64.getDecoder().decode(word),
                java.nio.charset.StandardCharsets.UTF_8).split("\0"));
    }
}
