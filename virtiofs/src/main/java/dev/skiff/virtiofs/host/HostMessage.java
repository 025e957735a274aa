package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.replay.HostChange;
import java.util.List;

/**
 * The messages between a daemon and the {@link ShareHost}, the process that serves virtio-fs
 * back-ends so that they outlive the daemon. Each request gets exactly one reply, in order, on
 * the connection that sent it; {@link HostCodec} frames them.
 */
public sealed interface HostMessage {
    /** What a daemon asks. */
    sealed interface Request extends HostMessage {}

    /** What the host answers: {@link Failed}, or the reply the request names. */
    sealed interface Reply extends HostMessage {}

    /** Serve a folder on a new back-end listening on {@code socket}; replies {@link Done} once it listens. */
    record Serve(String vm, String tag, String socket, String dir, boolean readOnly, int replayUid, long echoWindowMillis)
            implements Request {}

    /** Take up a share an earlier connection made (a daemon restarted); replies {@link Shares} with it alone. */
    record Adopt(String vm, String tag) implements Request {}

    /** End a share's back-end (its session, its files, its export's root); replies {@link Done}, served or not. */
    record Release(String vm, String tag) implements Request {}

    /** Await the guest's replay of host changes; replies {@link Expecting}. */
    record Expect(String vm, String tag, List<HostChange> changes) implements Request {}

    /** Withdraw what an {@link Expect} still awaits; replies {@link Done}. */
    record EndReplay(String vm, String tag, long id) implements Request {}

    /** Ask the share's echo journal; replies {@link Answer}. {@code name} is empty for {@link EchoKind#CHANGED_FILE}. */
    record Echo(String vm, String tag, EchoKind kind, long dev, long ino, String name) implements Request {}

    /** Every share served; replies {@link Shares}. */
    record ListShares() implements Request {}

    enum EchoKind { ADDED_NAME, REMOVED_NAME, CHANGED_FILE }

    record Done() implements Reply {}

    /** The request was refused or failed; the message says why and what to do. */
    record Failed(String message) implements Reply {}

    /** An expectation's id (for {@link EndReplay}) and the indexes of the changes it skipped. */
    record Expecting(long id, List<Integer> skipped) implements Reply {}

    record Answer(boolean yes) implements Reply {}

    record Shares(List<ShareInfo> shares) implements Reply {}

    /** A share as the host serves it. */
    record ShareInfo(String vm, String tag, String dir, boolean readOnly) {}
}
