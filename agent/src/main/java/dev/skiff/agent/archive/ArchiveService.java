package dev.skiff.agent.archive;

import dev.skiff.agent.api.ArchiveChunk;
import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.PathStat;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.agent.api.StatPathRequest;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.guest.Main;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.ServerStream;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;

/**
 * StatPath, ReadArchive and WriteArchive: docker cp on a container's root (which
 * {@link Roots} opens), with errors mapped once, here, to the codes the host turns into
 * Docker's answers (NOT_FOUND: "Could not find the file"; INVALID_ARGUMENT: a 400).
 */
public final class ArchiveService {
    /** Opens a container's root directory (O_PATH); the caller closes it. */
    @FunctionalInterface
    public interface Roots {
        int open(String containerId) throws TtrpcException;
    }

    private final Roots roots;

    public ArchiveService(Roots roots) {
        this.roots = roots;
    }

    public PathStat stat(StatPathRequest q) throws TtrpcException {
        String path = path(q.getPath());
        int root = roots.open(q.getContainerId());
        try (Tarball t = Tarball.open(root, path)) {
            return t.stat();
        } catch (IOException e) {
            throw map(path, e);
        } finally {
            Fds.closeQuietly(root);
        }
    }

    /** ReadArchive: the stat first, then the tar under the host's credit. */
    public void read(ReadArchiveRequest q, ServerStream stream) throws TtrpcException {
        String path = path(q.getPath());
        int root = roots.open(q.getContainerId());
        try (Tarball t = Tarball.open(root, path)) {
            CreditedOutput out = new CreditedOutput(stream, q.getCredit());
            stream.send(ArchiveChunk.newBuilder().setStat(t.stat()).build().toByteArray());
            t.writeTo(out);
            out.close();
        } catch (IOException e) {
            throw map(path, e);
        } finally {
            Fds.closeQuietly(root);
        }
    }

    /** WriteArchive: extracts what follows the first message into the directory it names. */
    public void write(WriteArchiveRequest q, ServerStream stream) throws TtrpcException {
        String path = path(q.getPath());
        int root = roots.open(q.getContainerId());
        int dest = -1;
        try {
            // moby: the destination is resolved with every symlink followed, the last one too.
            dest = InRoot.openDir(root, path);
            CreditedInput in = new CreditedInput(stream);
            int entries = new Extractor(dest, path, q.getNoOverwriteDirNonDir(), q.getCopyUidGid()).extract(in);
            in.drain();
            Main.log("container " + q.getContainerId() + ": extracted " + entries + " entries into " + path);
        } catch (ErrnoException e) {
            if (dest < 0 && e.errno() == Errno.ENOTDIR) {
                throw new TtrpcException(Code.INVALID_ARGUMENT, "extraction point is not a directory");
            }
            throw map(path, e);
        } catch (IOException e) {
            throw map(path, e);
        } finally {
            Fds.closeQuietly(dest);
            Fds.closeQuietly(root);
        }
    }

    private static String path(String path) throws TtrpcException {
        try {
            return ArchivePaths.absolute(path);
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    static TtrpcException map(String path, IOException e) {
        if (e instanceof ErrnoException errno) {
            return switch (errno.errno()) {
                case Errno.ENOENT -> new TtrpcException(Code.NOT_FOUND, "no such file or directory: " + path);
                case Errno.EROFS -> new TtrpcException(Code.INVALID_ARGUMENT, "mounted volume is marked read-only");
                default -> new TtrpcException(Code.INTERNAL, e.getMessage());
            };
        }
        if (e instanceof Extractor.Refused) {
            return new TtrpcException(Code.FAILED_PRECONDITION, e.getMessage());
        }
        return new TtrpcException(Code.INTERNAL, "copy " + path + ": " + e.getMessage());
    }

}
