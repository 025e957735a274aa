package dev.skiff.erofs.format;

/**
 * The file types of the inode mode and of {@code erofs_dirent.file_type} (the generic {@code FT_*} values, which
 * EROFS shares with other Linux file systems).
 */
public enum FileType {
    REGULAR(1, 0100000),
    DIRECTORY(2, 0040000),
    CHAR_DEVICE(3, 0020000),
    BLOCK_DEVICE(4, 0060000),
    FIFO(5, 0010000),
    SOCKET(6, 0140000),
    SYMLINK(7, 0120000);

    /** {@code EROFS_FT_*}/{@code FT_*} value stored in directory entries. */
    public final int direntType;
    /** {@code S_IFMT} bits of the inode mode. */
    public final int modeBits;

    FileType(int direntType, int modeBits) {
        this.direntType = direntType;
        this.modeBits = modeBits;
    }

    public boolean isDevice() {
        return this == CHAR_DEVICE || this == BLOCK_DEVICE;
    }
}
