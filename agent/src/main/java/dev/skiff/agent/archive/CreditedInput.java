package dev.skiff.agent.archive;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.skiff.agent.api.ArchiveCredit;
import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.ttrpc.ServerStream;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Optional;

/**
 * The tar of WriteArchive coming from the host: the data of each message in turn, with credit
 * granted back in batches as messages are taken (see agent.proto), so the host never has more
 * than {@link ArchivePaths#WINDOW} chunks in flight. The host closing its side is the end of the
 * tar; a message with {@code abort} set fails the read.
 */
final class CreditedInput extends InputStream {
    private final ServerStream stream;
    private byte[] current = new byte[0];
    private int pos;
    private int taken; // messages taken since the last grant
    private int unacknowledged; // messages the host may still have in flight, as we count them
    private boolean ended;

    CreditedInput(ServerStream stream) {
        this.stream = stream;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (ended || !nextMessage()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads everything the host still sends (after the tar's end marker), so that its close completes. */
    void drain() throws IOException {
        while (!ended && nextMessage()) {
            pos = current.length;
        }
    }

    private boolean nextMessage() throws IOException {
        try {
            Optional<byte[]> next = stream.recv();
            if (next.isEmpty()) {
                ended = true;
                return false;
            }
            WriteArchiveRequest q = WriteArchiveRequest.parseFrom(next.get());
            if (q.getAbort()) {
                throw new IOException("the host aborted the copy: the archive is incomplete");
            }
            if (q.getData().size() > ArchivePaths.CHUNK) {
                throw new IOException("a chunk of " + q.getData().size() + " bytes is over the limit of "
                        + ArchivePaths.CHUNK);
            }
            if (++unacknowledged > ArchivePaths.WINDOW) {
                throw new IOException("the host sent more than its window of " + ArchivePaths.WINDOW + " chunks");
            }
            current = q.getData().toByteArray();
            pos = 0;
            if (++taken == ArchivePaths.CREDIT_BATCH) {
                stream.send(ArchiveCredit.newBuilder().setCredit(taken).build().toByteArray());
                unacknowledged -= taken;
                taken = 0;
            }
            return true;
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("malformed archive chunk from the host: " + e.getMessage(), e);
        } catch (TtrpcException e) {
            throw new IOException("receiving the archive failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while receiving the archive");
        }
    }
}
