package dev.skiff.agent.archive;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.skiff.agent.api.ArchiveChunk;
import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.ttrpc.ServerStream;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The tar of ReadArchive going to the host: bytes gathered into chunks of
 * {@link ArchivePaths#CHUNK}, each sent only while the host has granted credit for it (the host
 * grants as it consumes, see agent.proto). The host closing its side means it gave up: the next
 * write fails and the archive stops.
 */
final class CreditedOutput extends OutputStream {
    private final ServerStream stream;
    private final byte[] buffer = new byte[ArchivePaths.CHUNK];
    private int filled;
    private int credit;

    CreditedOutput(ServerStream stream, int initialCredit) throws IOException {
        this.stream = stream;
        this.credit = checkCredit(0, initialCredit);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == buffer.length) {
                sendChunk();
            }
        }
    }

    /** Sends what is buffered (the end of the tar). */
    @Override
    public void close() throws IOException {
        if (filled > 0) {
            sendChunk();
        }
    }

    private void sendChunk() throws IOException {
        try {
            while (credit == 0) {
                Optional<byte[]> next = stream.recv();
                if (next.isEmpty()) {
                    throw new IOException("the host cancelled the archive read");
                }
                credit = checkCredit(credit, ReadArchiveRequest.parseFrom(next.get()).getCredit());
            }
            stream.send(ArchiveChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, filled)).build().toByteArray());
            credit--;
            filled = 0;
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("malformed credit from the host: " + e.getMessage(), e);
        } catch (TtrpcException e) {
            throw new IOException("sending the archive failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending the archive");
        }
    }

    private static int checkCredit(int held, int more) throws IOException {
        if (more <= 0 || held + more > ArchivePaths.WINDOW) {
            throw new IOException("the host granted credit " + more + " with " + held + " held (window "
                    + ArchivePaths.WINDOW + ")");
        }
        return held + more;
    }
}
