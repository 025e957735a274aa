package dev.skiff.erofs.tar;

/** What a tar entry describes, after PAX and GNU meta entries have been folded into it. */
public enum EntryType {
    REGULAR, HARD_LINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO
}
