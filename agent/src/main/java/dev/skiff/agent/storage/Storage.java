package dev.skiff.agent.storage;

/** A mounted storage: what it is and where it is in the guest. */
public record Storage(String id, Kind kind, String guestPath, boolean readOnly) {
    public enum Kind { LAYER, SCRATCH, SHARE, SOCKET }
}
