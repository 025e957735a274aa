package dev.skiff.engine.container;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A container's status, with Docker's words only ({@code State.Status}; "paused" is a flag on a
 * running container, shown in place of "running"). Every change goes through {@link #next}, which
 * refuses what cannot happen: a removed container never runs or exits again, a created one never
 * "exits" without having run.
 *
 * <p>A start in flight is not a status: dockerd shows the status from before the start ("created"
 * or "exited") until the process runs, and so does Skiff ({@link Container#starting} marks it).
 * A policy restart is: from the exit its restart policy answers until the next run starts (or the
 * restart is given up), the container is "restarting", and counts as running (moby's
 * SetRestarting), so it is listed by docker ps, and waits and removals treat it as not yet done.
 */
public enum Status {
    CREATED, RUNNING, RESTARTING, EXITED, REMOVING;

    /** The word the API shows ("created", "running", "restarting", "exited", "removing"). */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The status a record stored. "starting", written by daemons before this enum, meant a start in
     * flight when that daemon stopped: live restore treats it as running and asks the VM. A restart
     * that a daemon had pending when it stopped is read as an exit; the new daemon's own start of
     * containers by their policies brings it back.
     */
    public static Status ofWord(String word) {
        return switch (word == null ? "" : word) {
            case "created" -> CREATED;
            case "running", "starting" -> RUNNING;
            case "exited", "dead", "restarting" -> EXITED;
            case "removing" -> REMOVING;
            default -> throw new IllegalArgumentException("unknown container status '" + word + "'");
        };
    }

    private Set<Status> successors() {
        return switch (this) {
            case CREATED, EXITED -> EnumSet.of(RUNNING, REMOVING);
            // REMOVING: a forced remove that could not see the process end (its VM gone) goes on
            case RUNNING -> EnumSet.of(EXITED, RESTARTING, REMOVING);
            // RUNNING: the policy's start; EXITED: given up (a user's stop, a failed start)
            case RESTARTING -> EnumSet.of(RUNNING, EXITED, REMOVING);
            case REMOVING -> EnumSet.noneOf(Status.class);
        };
    }

    /** {@code to}, if this status may become it; else an IllegalStateException naming both (a bug). */
    public Status next(Status to) {
        if (!successors().contains(to)) {
            throw new IllegalStateException("a container cannot go from " + word() + " to " + to.word());
        }
        return to;
    }
}
