package dev.skiff.engine.api;

import dev.skiff.engine.api.Backend.ContainerState;
import java.time.Duration;
import java.time.Instant;

/**
 * The STATUS column of docker ps, worded as dockerd's {@code container.State.String} does, with
 * durations as go-units' {@code HumanDuration}: "Up 5 seconds", "Up 2 minutes (healthy)", "Up 5 seconds
 * (Paused)", "Exited (0) 3 minutes ago", "Created".
 */
final class ContainerStatus {
    private ContainerStatus() {
    }

    static String describe(ContainerState state, Instant now) {
        return switch (state.status()) {
            case "running" -> "Up " + humanDuration(since(state.startedAt(), now))
                    + (state.health() == null ? "" : " (" + state.health().psWord() + ")");
            case "paused" -> "Up " + humanDuration(since(state.startedAt(), now)) + " (Paused)";
            case "removing" -> "Removal In Progress";
            case "dead" -> "Dead";
            case "created" -> "Created";
            case "restarting" -> "Restarting (" + state.exitCode() + ") "
                    + humanDuration(since(state.finishedAt(), now)) + " ago";
            case "exited" -> state.finishedAt() == null ? "Exited (" + state.exitCode() + ")"
                    : "Exited (" + state.exitCode() + ") " + humanDuration(since(state.finishedAt(), now)) + " ago";
            default -> state.status();
        };
    }

    private static Duration since(Instant then, Instant now) {
        return then == null ? Duration.ZERO : Duration.between(then, now);
    }

    /** go-units HumanDuration. */
    static String humanDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toSeconds() / 3600.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }
}
