package dev.skiff.vm;

/**
 * How a VM ended.
 *
 * @param exitCode the hypervisor process's exit status (128+N when killed by signal N), or
 *     {@link #UNKNOWN_CODE} when the driver cannot know it (a VM attached from an earlier process is
 *     not this process's child, and only a parent can read a process's exit status)
 * @param detail what the driver knows beyond the reason, e.g. the hypervisor's last error line
 */
public record VmExit(Reason reason, int exitCode, String detail) {
    /** The exit code when the hypervisor's exit status cannot be known. */
    public static final int UNKNOWN_CODE = -1;

    public enum Reason {
        /** The guest powered itself off. */
        GUEST_POWEROFF,
        /** The host asked for it: stop(). */
        STOPPED,
        /** The host killed it: kill(). */
        KILLED,
        /** It died without being asked: killed from outside, crashed, or failed to start. */
        DIED
    }

    public boolean clean() {
        return reason == Reason.GUEST_POWEROFF || reason == Reason.STOPPED;
    }

    @Override
    public String toString() {
        return reason.name().toLowerCase().replace('_', ' ') + " (exit " + exitCode + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
