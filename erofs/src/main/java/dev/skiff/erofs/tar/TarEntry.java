package dev.skiff.erofs.tar;

import java.util.List;
import java.util.Map;

/**
 * One file-system entry of a tar, with its PAX and GNU extensions applied. Names are raw bytes held one per char
 * (see {@link dev.skiff.erofs.Names}).
 *
 * @param name      path as stored in the archive
 * @param type      entry type
 * @param mode      permission bits ({@code 07777})
 * @param uid       owner
 * @param gid       group
 * @param mtime     seconds since the epoch
 * @param mtimeNsec nanoseconds (from a PAX {@code mtime} record)
 * @param size      logical size of a regular file (for sparse files, the real size)
 * @param linkName  target of a hard or symbolic link, else null
 * @param devMajor  device major
 * @param devMinor  device minor
 * @param xattrs    extended attributes by full name, from {@code SCHILY.xattr.*} / {@code LIBARCHIVE.xattr.*}
 * @param sparse    the data segments of a sparse file, or null for an ordinary file
 * @param offset    byte offset of the entry's header in the (decompressed) archive
 */
public record TarEntry(String name, EntryType type, int mode, long uid, long gid, long mtime, int mtimeNsec,
                       long size, String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs,
                       List<Segment> sparse, long offset) {

    /** The data segments to read from {@link TarReader#data()}: the sparse map, or the whole file. */
    public List<Segment> segments() {
        if (sparse != null) {
            return sparse;
        }
        return size == 0 ? List.of() : List.of(new Segment(0, size));
    }
}
