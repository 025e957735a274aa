package dev.skiff.p9.fs;

/**
 * Who the file-system call in progress is served for: the uid the client named for the request.
 * On 9P it is the n_uname of the Tattach the request's fid descends from (the Linux client, with
 * access=client, attaches once per fsuid and walks each user's fids from that user's attach); on
 * virtio-fs it is the FUSE request header's uid (the caller's fsuid). The servers bind it around
 * each request; a layer that must serve one client differently reads it
 * ({@link dev.skiff.p9.fs.replay.ReplayingFileSystem}: the guest agent's replays). Backends ignore
 * it: permissions are the client's business (access=client, default_permissions).
 */
public final class Caller {
    private Caller() {}

    /** An operation run with a caller bound; it may throw what the request's handler throws. */
    @FunctionalInterface
    public interface Op<T, X extends Throwable> {
        T run() throws X;
    }

    private static final ScopedValue<Integer> UID = ScopedValue.newInstance();

    /** The uid of the request being served, or -1 outside one (or when the client named none). */
    public static int uid() {
        return UID.orElse(-1);
    }

    /** Runs {@code op} as a request of {@code uid}. */
    public static <T, X extends Throwable> T as(int uid, Op<T, X> op) throws X {
        return ScopedValue.where(UID, uid).call(op::run);
    }
}
