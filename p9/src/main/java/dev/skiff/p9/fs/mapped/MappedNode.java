package dev.skiff.p9.fs.mapped;

import dev.skiff.p9.fs.Node;
import java.nio.file.Path;

/**
 * A mapped node: the file's host path (always the export root plus single checked
 * components), its identity, and its file type as the metadata says (a regular host file
 * may stand for a symlink, a device, a fifo or a socket).
 */
record MappedNode(Path path, long dev, long ino, int fileType) implements Node {
    @Override
    public void close() {
        // nothing held open: the mapped backend works by path
    }
}
