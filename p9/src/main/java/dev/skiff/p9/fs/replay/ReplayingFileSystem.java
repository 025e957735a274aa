package dev.skiff.p9.fs.replay;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.Caller;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.fs.StatFs;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend that lets a guest replay changes made outside it, so that the guest kernel raises the
 * inotify events its containers wait for (the osxfs model; see {@code shared/research/inotify.md}).
 *
 * <p>9P has no way to push an event to the client, and a guest's inotify only hears what its own
 * VFS does. So the host says which changes it saw ({@link #expect}), and the guest's agent
 * performs each one through the same mount: mknod for a new name, unlink for a gone one, rename,
 * a mode or time change, an open for writing. The agent does so as a uid of its own, the
 * {@code replayer} ({@link Caller}: on 9P its requests come down an attach of their own, on
 * virtio-fs each names it), and only the replayer is served differently: while a change is
 * expected, its walks find the export as it was before the change (the gone name still there, the
 * new name not yet), and its matching operation is acknowledged without touching the host, where
 * it has happened already. Nothing of the replay reaches the host: no echo, no changed times or
 * modes, no loop; an operation of the replayer that was not expected is refused.
 * Everyone else sees the host as it is and changes it as usual, during a replay too.
 *
 * <p>It also keeps {@link #ownChanges()}: what this server's clients changed on the host, so a
 * host watcher can tell the echo of a guest's own work from a change it must replay. Each change is
 * noted before it is made: the watcher may read the host's event before the call that caused it has
 * returned. (A name's entry also covers what the backend does to a new file right after making it,
 * such as setting its owner, which the host reports as an attribute change.)
 *
 * <p>The guest's dentry cache is shared by every uid, though. A container that looks a new name up
 * before the replayer does makes the guest know the file already; the agent's mknod then fails
 * with EEXIST in the guest's VFS, and that one IN_CREATE is not raised (the same goes for a gone
 * name looked up before its replayed unlink). The file's content is never hidden from anyone.
 */
public final class ReplayingFileSystem implements FileSystem, ReplayTarget {
    /** A phantom's inode number: above the 48 bits qids keep for real inodes, one for all phantoms. */
    static final long PHANTOM_INO = (1L << 48) - 1;

    private final FileSystem backend;
    private final OwnChanges own;
    /** The uid the guest's agent replays as ({@link Caller#uid()} of its requests). */
    private final int replayer;
    /** Per name and per file, the awaited operations in the order the guest will do them. */
    private final ConcurrentHashMap<OwnChanges.Name, List<Expected>> names = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<OwnChanges.File, List<Expected>> files = new ConcurrentHashMap<>();

    public ReplayingFileSystem(FileSystem backend, Duration echoWindow, int replayerUid) {
        this.backend = backend;
        this.own = new OwnChanges(echoWindow);
        this.replayer = replayerUid;
    }

    /** Whether the request being served is the guest agent's replay. */
    private boolean replaying() {
        return Caller.uid() == replayer;
    }

    /** The replayer changes nothing on the host: an operation of its that was not awaited. */
    private static ErrnoException notAwaited(String call, String what) {
        return new ErrnoException(call, what + " (a replay the host does not await)", Errno.EPERM);
    }

    public OwnChanges ownChanges() {
        return own;
    }

    @Override
    public Echoes echoes() {
        return own;
    }

    /** What one expectation lets through, once. */
    private enum Op {
        CREATE, UNLINK, RENAME_FROM, RENAME_TO, SETATTR, OPEN_WRITE,
        /**
         * A name the replay has made: until the replay ends, its walks find the host's file there, or
         * a phantom once the host has removed or moved it (the guest's mknod walks to the name it
         * made at once, and may race a host that moves it on).
         */
        MADE
    }

    /**
     * One awaited guest operation. {@code shownAs}: for an expected unlink or rename, the path of the
     * real file to show at the old name (null: a phantom); {@code partner}: a rename's other name.
     */
    private record Expected(Op op, Replay owner, boolean directory, String shownAs, OwnChanges.Name partner) {}

    /**
     * Expects the guest to replay {@code changes}; closing the returned replay withdraws whatever
     * the guest did not do. Changes whose paths no longer resolve (the host moved on) are skipped
     * and reported by {@link Replay#skipped()}.
     */
    @Override
    public Replay expect(List<HostChange> changes) {
        Replay r = new Replay();
        for (HostChange c : changes) {
            try {
                add(r, c);
            } catch (IOException e) {
                r.skipped.add(c);
            }
        }
        return r;
    }

    private void add(Replay r, HostChange c) throws IOException {
        switch (c) {
            case HostChange.Created x -> put(r, nameKey(x.path()), new Expected(Op.CREATE, r, x.directory(), null, null));
            case HostChange.Deleted x -> put(r, nameKey(x.path()), new Expected(Op.UNLINK, r, x.directory(), null, null));
            case HostChange.Moved x -> {
                OwnChanges.Name from = nameKey(x.from()), to = nameKey(x.to());
                put(r, from, new Expected(Op.RENAME_FROM, r, x.directory(), x.to(), to));
                put(r, to, new Expected(Op.RENAME_TO, r, x.directory(), null, from));
            }
            case HostChange.Modified x -> put(r, fileKey(x.path()), new Expected(Op.SETATTR, r, false, null, null));
            case HostChange.AttributesChanged x ->
                    put(r, fileKey(x.path()), new Expected(Op.SETATTR, r, false, null, null));
            case HostChange.Written x -> put(r, fileKey(x.path()), new Expected(Op.OPEN_WRITE, r, false, null, null));
        }
    }

    private void put(Replay r, Object key, Expected e) {
        java.util.function.BiFunction<Object, List<Expected>, List<Expected>> append = (k, old) -> {
            List<Expected> l = old == null ? new ArrayList<>() : new ArrayList<>(old);
            l.add(e);
            return List.copyOf(l);
        };
        if (key instanceof OwnChanges.Name n) {
            names.compute(n, append::apply);
        } else {
            files.compute((OwnChanges.File) key, append::apply);
        }
        r.keys.add(key);
    }

    /** The list without the entries {@code drop} selects; null (no entry) when none is left. */
    private static List<Expected> without(List<Expected> l, java.util.function.Predicate<Expected> drop) {
        List<Expected> kept = l.stream().filter(drop.negate()).toList();
        return kept.isEmpty() ? null : kept;
    }

    /** The replay of one batch of changes; see {@link #expect}. */
    public final class Replay implements Expectation {
        private final List<Object> keys = new ArrayList<>();
        private final List<HostChange> skipped = new ArrayList<>();

        @Override
        public List<HostChange> skipped() {
            return skipped;
        }

        @Override
        public void close() {
            for (Object k : keys) {
                if (k instanceof OwnChanges.Name n) {
                    names.computeIfPresent(n, (key, l) -> without(l, e -> e.owner() == this));
                } else {
                    files.computeIfPresent((OwnChanges.File) k, (key, l) -> without(l, e -> e.owner() == this));
                }
            }
        }
    }

    /** The directory of {@code path} and its last name, as a key; the directory must exist. */
    private OwnChanges.Name nameKey(String path) throws IOException {
        if (!HostChange.valid(path)) {
            throw new ErrnoException("replay", path, Errno.EINVAL);
        }
        int slash = path.lastIndexOf('/');
        try (Node dir = resolve(slash < 0 ? "" : path.substring(0, slash))) {
            return new OwnChanges.Name(dir.dev(), dir.ino(), path.substring(slash + 1));
        }
    }

    private OwnChanges.File fileKey(String path) throws IOException {
        if (!HostChange.valid(path)) {
            throw new ErrnoException("replay", path, Errno.EINVAL);
        }
        try (Node n = resolve(path)) {
            return new OwnChanges.File(n.dev(), n.ino());
        }
    }

    /** Walks the backend from its root; the caller closes the node (the root is never closed). */
    private Node resolve(String path) throws IOException {
        Node at = backend.root();
        if (path.isEmpty()) {
            return new Borrowed(at);
        }
        for (String part : path.split("/")) {
            Node next = backend.walk(at, part);
            if (at != backend.root()) {
                at.close();
            }
            at = next;
        }
        return at;
    }

    /** The root handed out where a path resolves to it: closing it must not close the root. */
    private record Borrowed(Node node) implements Node {
        public long dev() {
            return node.dev();
        }

        public long ino() {
            return node.ino();
        }

        public int fileType() {
            return node.fileType();
        }

        public void close() {}
    }

    /**
     * Takes the first awaited operation on {@code key} if it is {@code op}; null otherwise. The
     * removal is atomic, so of two clients doing the same operation only one is acknowledged
     * without effect.
     */
    private Expected take(OwnChanges.Name key, Op op) {
        Expected[] taken = new Expected[1];
        names.computeIfPresent(key, (k, l) -> {
            if (l.getFirst().op() != op) {
                return l;
            }
            taken[0] = l.getFirst();
            return l.size() == 1 ? null : l.subList(1, l.size());
        });
        return taken[0];
    }

    /** Takes the first awaited {@code op} on the file; a file's operations may come in any order. */
    private Expected takeFile(Node node, Op op) {
        Expected[] taken = new Expected[1];
        files.computeIfPresent(new OwnChanges.File(node.dev(), node.ino()), (k, l) -> {
            for (Expected e : l) {
                if (e.op() == op) {
                    taken[0] = e;
                    return without(l, x -> x == e);
                }
            }
            return l;
        });
        return taken[0];
    }

    /** The operation the guest is awaited to do next on a name, or null. */
    private Expected next(OwnChanges.Name key) {
        List<Expected> l = names.get(key);
        return l == null ? null : l.getFirst();
    }

    /**
     * What a replayed create hands back: the host's file, or a phantom when the host has removed
     * it again already (a file made and deleted within one batch; its deletion is replayed next).
     * The guest walks to the name it made next; unless its removal or move is awaited already
     * (which shows a phantom, or the moved file, too), the name stays {@link Op#MADE} for the rest of
     * this replay, so that walk finds it even if the host moves it on meanwhile.
     */
    private Node made(Node dir, String name, Expected e) throws IOException {
        Expected shown = new Expected(Op.MADE, e.owner(), e.directory(), null, null);
        OwnChanges.Name k = key(dir, name);
        names.compute(k, (key, l) -> l == null ? List.of(shown) : l);
        e.owner().keys.add(k);
        return hostOrPhantom(dir, name, e.directory());
    }

    /** The host's file at {@code name}, or a phantom if the host has none there now. */
    private Node hostOrPhantom(Node dir, String name, boolean directory) throws IOException {
        try {
            return backend.walk(dir, name);
        } catch (ErrnoException gone) {
            if (gone.errno() != Errno.ENOENT) {
                throw gone;
            }
            return new Phantom(dir.dev(), directory);
        }
    }

    private static OwnChanges.Name key(Node dir, String name) {
        return new OwnChanges.Name(dir.dev(), dir.ino(), name);
    }

    private static Node real(Node n) throws ErrnoException {
        if (n instanceof Phantom) {
            throw new ErrnoException("replay", "a name being replayed as deleted", Errno.ENOENT);
        }
        return n;
    }

    // --- the file operations -------------------------------------------------------------------

    @Override
    public Node root() {
        return backend.root();
    }

    @Override
    public Node walk(Node dir, String name) throws IOException {
        real(dir);
        if (replaying() && !name.equals(".") && !name.equals("..")) {
            Expected e = next(key(dir, name));
            if (e != null) {
                switch (e.op()) {
                    case CREATE, RENAME_TO -> throw new ErrnoException("walk", name + " (not yet replayed)", Errno.ENOENT);
                    case UNLINK -> {
                        return new Phantom(dir.dev(), e.directory());
                    }
                    case MADE -> {
                        return hostOrPhantom(dir, name, e.directory());
                    }
                    case RENAME_FROM -> {
                        try {
                            return resolve(e.shownAs());
                        } catch (IOException gone) {
                            return new Phantom(dir.dev(), e.directory());
                        }
                    }
                    default -> { }
                }
            }
        }
        return backend.walk(dir, name);
    }

    @Override
    public Attr getattr(Node node) throws IOException {
        if (node instanceof Phantom p) {
            return p.attr();
        }
        return backend.getattr(node);
    }

    @Override
    public void setattr(Node node, SetAttr change) throws IOException {
        real(node);
        if (replaying()) {
            if (takeFile(node, Op.SETATTR) == null) {
                throw notAwaited("setattr", "a file");
            }
            return;
        }
        own.file(node.dev(), node.ino());
        backend.setattr(node, change);
    }

    @Override
    public OpenFile open(Node node, int dotlFlags) throws IOException {
        real(node);
        boolean writes = writes(dotlFlags);
        if (writes && replaying()) {
            if (takeFile(node, Op.OPEN_WRITE) == null) {
                throw notAwaited("open", "a file for writing");
            }
            return NoFile.INSTANCE;
        }
        if (!writes) {
            return backend.open(node, dotlFlags);
        }
        own.file(node.dev(), node.ino());
        return new JournaledFile(backend.open(node, dotlFlags), node.dev(), node.ino(), own);
    }

    private static boolean writes(int dotl) {
        int acc = dotl & P9.DOTL_NOACCESS;
        return acc == P9.DOTL_WRONLY || acc == P9.DOTL_RDWR || (dotl & (P9.DOTL_TRUNC | P9.DOTL_APPEND)) != 0;
    }

    @Override
    public Created create(Node dir, String name, int dotlFlags, int mode, int uid, int gid) throws IOException {
        real(dir);
        if (replaying()) {
            return new Created(replayedCreate(dir, name), NoFile.INSTANCE);
        }
        own.added(dir.dev(), dir.ino(), name);
        Created c = backend.create(dir, name, dotlFlags, mode, uid, gid);
        own.file(c.node().dev(), c.node().ino());
        return new Created(c.node(), new JournaledFile(c.file(), c.node().dev(), c.node().ino(), own));
    }

    /** The replay's create of {@code name} (any kind): acknowledged when awaited, else refused. */
    private Node replayedCreate(Node dir, String name) throws IOException {
        Expected e = take(key(dir, name), Op.CREATE);
        if (e == null) {
            throw notAwaited("create", name);
        }
        return made(dir, name, e);
    }

    private interface Make {
        Node make() throws IOException;
    }

    /** mkdir, symlink or mknod: acknowledged when replayed, else made on the host and journaled. */
    private Node makeName(Node dir, String name, Make onHost) throws IOException {
        real(dir);
        if (replaying()) {
            return replayedCreate(dir, name);
        }
        own.added(dir.dev(), dir.ino(), name);
        return onHost.make();
    }

    @Override
    public Node mkdir(Node dir, String name, int mode, int uid, int gid) throws IOException {
        return makeName(dir, name, () -> backend.mkdir(dir, name, mode, uid, gid));
    }

    @Override
    public Node symlink(Node dir, String name, String target, int uid, int gid) throws IOException {
        return makeName(dir, name, () -> backend.symlink(dir, name, target, uid, gid));
    }

    @Override
    public Node mknod(Node dir, String name, int mode, int major, int minor, int uid, int gid) throws IOException {
        return makeName(dir, name, () -> backend.mknod(dir, name, mode, major, minor, uid, gid));
    }

    @Override
    public void link(Node target, Node dir, String name) throws IOException {
        real(target);
        real(dir);
        if (replaying()) {
            if (take(key(dir, name), Op.CREATE) == null) {
                throw notAwaited("link", name);
            }
            return;
        }
        own.added(dir.dev(), dir.ino(), name);
        own.file(target.dev(), target.ino()); // its link count
        backend.link(target, dir, name);
    }

    @Override
    public void rename(Node oldDir, String oldName, Node newDir, String newName) throws IOException {
        real(oldDir);
        real(newDir);
        OwnChanges.Name from = key(oldDir, oldName), to = key(newDir, newName);
        if (replaying()) {
            Expected e = next(from);
            if (e == null || e.op() != Op.RENAME_FROM || !to.equals(e.partner()) || take(from, Op.RENAME_FROM) != e) {
                throw notAwaited("rename", oldName);
            }
            take(to, Op.RENAME_TO);
            return;
        }
        own.removed(from.dirDev(), from.dirIno(), oldName);
        own.added(to.dirDev(), to.dirIno(), newName);
        backend.rename(oldDir, oldName, newDir, newName);
    }

    @Override
    public void unlink(Node dir, String name, boolean removeDir) throws IOException {
        real(dir);
        if (replaying()) {
            if (take(key(dir, name), Op.UNLINK) == null) {
                throw notAwaited("unlink", name);
            }
            return;
        }
        own.removed(dir.dev(), dir.ino(), name);
        backend.unlink(dir, name, removeDir);
    }

    @Override
    public String readlink(Node node) throws IOException {
        return backend.readlink(real(node));
    }

    @Override
    public StatFs statfs(Node node) throws IOException {
        return backend.statfs(node instanceof Phantom ? backend.root() : node);
    }

    @Override
    public byte[] getxattr(Node node, String name) throws IOException {
        return backend.getxattr(real(node), name);
    }

    @Override
    public byte[] listxattr(Node node) throws IOException {
        return backend.listxattr(real(node));
    }

    @Override
    public void setxattr(Node node, String name, byte[] value, int flags) throws IOException {
        if (replaying()) {
            throw notAwaited("setxattr", name);
        }
        own.file(real(node).dev(), node.ino());
        backend.setxattr(node, name, value, flags);
    }

    @Override
    public void removexattr(Node node, String name) throws IOException {
        if (replaying()) {
            throw notAwaited("removexattr", name);
        }
        own.file(real(node).dev(), node.ino());
        backend.removexattr(node, name);
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
