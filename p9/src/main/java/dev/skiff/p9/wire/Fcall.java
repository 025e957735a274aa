package dev.skiff.p9.wire;

/** A decoded frame: its tag and its message. */
public record Fcall(int tag, Message message) {}
