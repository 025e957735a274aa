package dev.skiff.erofs.write;

import dev.skiff.erofs.format.XattrBody;
import dev.skiff.erofs.format.XattrEntry;
import dev.skiff.erofs.tree.Inode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An inode's xattrs as EROFS stores them: sorted, with {@code trusted.overlay.opaque=y} on opaque directories,
 * and without names outside the namespaces EROFS can index (those are counted, see {@link #dropped()}).
 */
public final class InodeXattrs {
    /** overlayfs' opaque-directory marker ({@code Documentation/filesystems/overlayfs.rst}). */
    public static final String OPAQUE = "trusted.overlay.opaque";

    private long dropped;

    /** Builds the xattr area of {@code node}. */
    public XattrBody of(Inode node) {
        if (node.xattrs.isEmpty() && !node.opaque) {
            return XattrBody.EMPTY;
        }
        List<XattrEntry> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : node.xattrs.entrySet()) {
            if (node.opaque && e.getKey().equals(OPAQUE)) {
                continue;
            }
            XattrEntry x = XattrEntry.of(e.getKey(), e.getValue());
            if (x == null) {
                dropped++;
            } else {
                entries.add(x);
            }
        }
        if (node.opaque) {
            entries.add(XattrEntry.of(OPAQUE, "y".getBytes(StandardCharsets.US_ASCII)));
        }
        Collections.sort(entries);
        return new XattrBody(entries);
    }

    /** Xattrs left out because EROFS has no name index for their namespace. */
    public long dropped() {
        return dropped;
    }
}
