package dev.skiff.p9.fs.replay;

import dev.skiff.p9.fs.DirentSink;
import dev.skiff.p9.fs.OpenFile;
import java.io.IOException;

/** An open file whose writes and close are noted as this server's own changes. */
record JournaledFile(OpenFile file, long dev, long ino, OwnChanges own) implements OpenFile {
    public byte[] read(long offset, int count) throws IOException {
        return file.read(offset, count);
    }

    public int write(long offset, byte[] data) throws IOException {
        own.file(dev, ino); // before: the host's IN_MODIFY may be read before the write returns
        return file.write(offset, data);
    }

    public void readdir(long offset, int budget, DirentSink sink) throws IOException {
        file.readdir(offset, budget, sink);
    }

    public void fsync(boolean datasync) throws IOException {
        file.fsync(datasync);
    }

    public boolean tryLock(int type, long start, long length) throws IOException {
        return file.tryLock(type, start, length);
    }

    public LockInfo testLock(int type, long start, long length) throws IOException {
        return file.testLock(type, start, length);
    }

    public void close() {
        own.file(dev, ino); // the host's IN_CLOSE_WRITE
        file.close();
    }
}
