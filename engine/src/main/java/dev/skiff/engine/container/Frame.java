package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.StreamType;

/** A piece of a container's output as it arrived: which stream, when, the bytes. */
public record Frame(StreamType type, long epochNanos, byte[] data) {
    /** Marks the end of a run's output for live subscribers. */
    static final Frame END = new Frame(StreamType.STDOUT, 0, new byte[0]);
}
