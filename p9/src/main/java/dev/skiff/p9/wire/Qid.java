package dev.skiff.p9.wire;

/** A qid: type[1] version[4] path[8], the server's unique identity of a file. */
public record Qid(int type, int version, long path) {
    public static final int SIZE = 13;

    public boolean isDir() {
        return (type & P9.QTDIR) != 0;
    }
}
