package dev.skiff.agent.archive;

/**
 * One tar header as both the reader and the writer see it (POSIX ustar with pax extensions,
 * GNU long names read too). Times are Unix seconds and nanoseconds; {@code atimeSec} is -1 when
 * the archive carries none.
 */
record TarEntry(String name, char type, int mode, int uid, int gid, long size, long mtimeSec, int mtimeNsec,
        long atimeSec, int atimeNsec, String linkname, int devMajor, int devMinor) {

    static final char REG = '0', LINK = '1', SYMLINK = '2', CHAR = '3', BLOCK = '4', DIR = '5', FIFO = '6',
            CONTIGUOUS = '7', PAX = 'x', PAX_GLOBAL = 'g', GNU_LONGNAME = 'L', GNU_LONGLINK = 'K';

    boolean isDir() {
        return type == DIR;
    }

    boolean isRegular() {
        return type == REG || type == '\0' || type == CONTIGUOUS;
    }
}
