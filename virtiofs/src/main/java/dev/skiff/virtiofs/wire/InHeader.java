package dev.skiff.virtiofs.wire;

/**
 * struct fuse_in_header: the 40 bytes before every request body. {@code uid}, {@code gid} and
 * {@code pid} are the calling guest process's, as the guest kernel sees them.
 */
public record InHeader(int len, int opcode, long unique, long nodeid, int uid, int gid, int pid) {}
