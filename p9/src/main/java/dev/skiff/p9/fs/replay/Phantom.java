package dev.skiff.p9.fs.replay;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.Node;

/** A name shown at a place the host removed it from, until the guest has removed it too. */
record Phantom(long dev, boolean directory) implements Node {
    public long ino() {
        return ReplayingFileSystem.PHANTOM_INO;
    }

    public int fileType() {
        return directory ? 0040000 : 0100000;
    }

    Attr attr() {
        long now = System.currentTimeMillis() / 1000;
        return new Attr(dev, ReplayingFileSystem.PHANTOM_INO, fileType() | (directory ? 0755 : 0644), 0, 0, directory ? 2 : 1, 0, 0,
                4096, 0, now, 0, now, 0, now, 0, 0, 0, false);
    }

    public void close() {}
}
