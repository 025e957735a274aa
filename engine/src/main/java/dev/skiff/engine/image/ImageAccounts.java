package dev.skiff.engine.image;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Accounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Images' /etc/passwd and /etc/group, for users given by name: an image's layers' /etc applied into
 * a scratch folder (whiteouts and all, as {@link PathCopy} does for volumes), the two files read,
 * the folder deleted. An image never changes, so each is read once; the last 64 are kept.
 */
final class ImageAccounts {
    private static final int KEPT = 64;

    private final ImageStore store;
    private final Map<String, Accounts> read = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Accounts> eldest) {
            return size() > KEPT;
        }
    });

    ImageAccounts(ImageStore store) {
        this.store = store;
    }

    Accounts of(String imageId) throws EngineException, IOException {
        Accounts known = read.get(imageId);
        if (known != null) {
            return known;
        }
        Path scratch = Files.createTempDirectory(store.scratchDir(), "etc-");
        try {
            store.copyPath(imageId, "/etc", scratch);
            Accounts accounts = Accounts.parse(file(scratch, "passwd"), file(scratch, "group"));
            read.put(imageId, accounts);
            return accounts;
        } finally {
            PathCopy.deleteTree(scratch);
        }
    }

    /** One of the files, "" if the image has none; over {@link Accounts#MAX_FILE} bytes is refused. */
    private static String file(Path etc, String name) throws EngineException, IOException {
        Path f = etc.resolve(name);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        if (Files.size(f) > Accounts.MAX_FILE) {
            throw EngineException.invalid("the image's /etc/" + name + " is over " + Accounts.MAX_FILE
                    + " bytes: give the user as uid[:gid]");
        }
        return Files.readString(f, StandardCharsets.UTF_8);
    }
}
