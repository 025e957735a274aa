package dev.skiff.engine.api;

/**
 * Where a pull or a push reports, in the shape of Docker's JSON message stream (moby's
 * {@code daemon/internal/distribution/pull_v2.go}): the API renders each call as one message. A
 * message with an id and a progressDetail is a line the docker CLI redraws in place; the others
 * are printed once.
 */
public interface Progress {
    /** {"status", "id"} with no progressDetail: "Pulling from test/img" (id = the tag), or id null. */
    void message(String id, String status);

    /** A layer's state, {"status", "id", "progressDetail": {}}: "Pulling fs layer", "Waiting", "Pull complete"... */
    void layer(String id, String status);

    /** A layer's transfer, {"status", "id", "progressDetail": {"current", "total"}}: "Downloading". */
    void layer(String id, String status, long current, long total);

    /** {"aux": {...}}: what a push ends with, {"Tag", "Digest", "Size"}. */
    default void aux(java.util.Map<String, Object> fields) { }
}
