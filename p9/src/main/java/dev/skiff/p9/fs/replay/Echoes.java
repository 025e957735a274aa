package dev.skiff.p9.fs.replay;

/**
 * What a share's own clients changed on the host moments ago, as a host watcher asks it to tell
 * the echo of a guest's own work (which that guest has seen already) from a change to replay.
 * {@link OwnChanges} answers in the server's process; a remote server answers over its control
 * connection.
 */
public interface Echoes {
    /** Whether the share's server made entry {@code name} of the directory (dev, ino) within its window. */
    boolean addedName(long dirDev, long dirIno, String name);

    /** Whether the share's server removed entry {@code name} of the directory (dev, ino) within its window. */
    boolean removedName(long dirDev, long dirIno, String name);

    /** Whether the share's server changed the file (dev, ino), its content or attributes, within its window. */
    boolean changedFile(long dev, long ino);
}
