package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import dev.skiff.erofs.format.Erofs;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an entry name (or a hard link's target) into path components below the layer root, refusing anything
 * that could point outside it: absolute names, {@code ..} components, NUL bytes, and components longer than
 * {@link Erofs#NAME_LEN}. {@code .} components, repeated and trailing slashes are dropped; an empty result is the
 * root directory itself.
 */
public final class EntryPath {
    private EntryPath() {}

    /**
     * @param name  the raw name (one char per byte)
     * @param entry the entry to name in errors
     * @param what  "name" or "hard link target", for the message
     */
    public static List<String> parse(String name, String entry, String what) throws LayerException {
        if (name.isEmpty()) {
            throw new LayerException(Names.display(entry), "empty " + what);
        }
        if (name.indexOf('\0') >= 0) {
            throw new LayerException(Names.display(entry), what + " contains a NUL byte");
        }
        if (name.charAt(0) == '/') {
            throw new LayerException(Names.display(entry), "absolute " + what + " '" + Names.display(name)
                    + "' is not allowed in a layer");
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (start <= name.length()) {
            int slash = name.indexOf('/', start);
            int end = slash < 0 ? name.length() : slash;
            String part = name.substring(start, end);
            if (part.equals("..")) {
                throw new LayerException(Names.display(entry), what + " '" + Names.display(name)
                        + "' contains '..' and could escape the layer root");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                if (part.length() > Erofs.NAME_LEN) {
                    throw new LayerException(Names.display(entry), what + " has a component of " + part.length()
                            + " bytes; the limit is " + Erofs.NAME_LEN);
                }
                parts.add(part);
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        return parts;
    }
}
