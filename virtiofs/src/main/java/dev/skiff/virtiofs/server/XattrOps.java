package dev.skiff.virtiofs.server;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Xattrs;
import dev.skiff.virtiofs.wire.FuseReply;
import dev.skiff.virtiofs.wire.FuseRequest;
import dev.skiff.virtiofs.wire.InHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR (fuse.h; getxattr(2)'s size rules): a size of 0
 * asks for the value's size (fuse_getxattr_out); a value larger than the size asked is ERANGE.
 * Which namespaces are allowed is the backend's and the host's business, as on the 9P path.
 */
final class XattrOps {
    private XattrOps() {}

    /** XATTR_NAME_MAX, include/uapi/linux/limits.h. */
    static final int XATTR_NAME_MAX = 255;

    static FuseReply getxattr(FuseSession s, InHeader h, FuseRequest.Getxattr m) throws IOException {
        checkName(m.name());
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            return sized(s.fs.getxattr(n.node(), m.name()), m.size());
        }
    }

    static FuseReply listxattr(FuseSession s, InHeader h, FuseRequest.Listxattr m) throws IOException {
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            return sized(s.fs.listxattr(n.node()), m.size());
        }
    }

    private static FuseReply sized(byte[] value, int size) throws ErrnoException {
        if (size == 0) {
            return new FuseReply.XattrSize(value.length);
        }
        if (value.length > Integer.toUnsignedLong(size)) {
            throw new ErrnoException("getxattr", value.length + " bytes into " + Integer.toUnsignedString(size), Errno.ERANGE);
        }
        return new FuseReply.Data(value);
    }

    static FuseReply setxattr(FuseSession s, InHeader h, FuseRequest.Setxattr m) throws IOException {
        checkName(m.name());
        if ((m.flags() & ~(Xattrs.XATTR_CREATE | Xattrs.XATTR_REPLACE)) != 0) {
            throw new ErrnoException("setxattr", m.name() + " flags " + m.flags(), Errno.EINVAL);
        }
        if (m.value().length > Xattrs.XATTR_SIZE_MAX) {
            throw new ErrnoException("setxattr", m.name() + " of " + m.value().length + " bytes", Errno.E2BIG);
        }
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            s.fs.setxattr(n.node(), m.name(), m.value(), m.flags());
            return FuseSession.EMPTY;
        }
    }

    static FuseReply removexattr(FuseSession s, InHeader h, FuseRequest.Removexattr m) throws IOException {
        checkName(m.name());
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            s.fs.removexattr(n.node(), m.name());
            return FuseSession.EMPTY;
        }
    }

    /** Empty is ERANGE and too long is ERANGE, as setxattr(2) says for both. */
    private static void checkName(String name) throws ErrnoException {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > XATTR_NAME_MAX) {
            throw new ErrnoException("xattr", "name of " + name.length() + " characters", Errno.ERANGE);
        }
    }
}
