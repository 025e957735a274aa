package dev.skiff.agent.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.agent.api.ArchiveChunk;
import dev.skiff.agent.api.ArchiveCredit;
import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.PathStat;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.ttrpc.CallOptions;
import dev.skiff.ttrpc.Client;
import dev.skiff.ttrpc.ClientStream;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.StreamDesc;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The host's side of ReadArchive and WriteArchive (docker cp): tar bytes in chunks over a ttrpc
 * stream, with the credit-based flow control agent.proto describes ({@link ArchivePaths#WINDOW}
 * chunks in flight at most), so that hundreds of megabytes stream through without either side
 * holding more than a window. What the guest sends is checked: chunk sizes, the chunks it may
 * send, the stat's fields.
 */
public final class ArchiveStreams {
    private ArchiveStreams() {}

    /** A tar being read from the guest: its path's stat at once, its bytes on {@link #transferTo}. */
    public static final class Read implements AutoCloseable {
        private final ClientStream stream;
        private final PathStat stat;
        private boolean done;

        private Read(ClientStream stream, PathStat stat) {
            this.stream = stream;
            this.stat = stat;
        }

        public PathStat stat() {
            return stat;
        }

        /** Copies the whole tar into {@code sink}; returns its size in bytes. */
        public long transferTo(OutputStream sink) throws IOException {
            long total = 0;
            int granted = ArchivePaths.WINDOW;
            int consumed = 0;
            try {
                while (true) {
                    Optional<byte[]> next = stream.recv();
                    if (next.isEmpty()) {
                        done = true;
                        return total;
                    }
                    if (granted-- <= 0) {
                        throw new AgentException("the guest sent more archive chunks than it was granted", Code.INTERNAL,
                                false, null);
                    }
                    ByteString data = parseChunk(next.get()).getData();
                    if (data.size() > ArchivePaths.CHUNK) {
                        throw new AgentException("the guest sent an archive chunk of " + data.size() + " bytes",
                                Code.INTERNAL, false, null);
                    }
                    data.writeTo(sink);
                    total += data.size();
                    if (++consumed == ArchivePaths.CREDIT_BATCH) {
                        stream.send(ReadArchiveRequest.newBuilder().setCredit(consumed).build().toByteArray());
                        granted += consumed;
                        consumed = 0;
                    }
                }
            } catch (TtrpcException e) {
                throw AgentClient.map("ReadArchive", e);
            }
        }

        /** Ends the read; before its end this cancels it in the guest (the host closes its side). */
        @Override
        public void close() {
            if (!done) {
                try {
                    stream.closeSend();
                } catch (TtrpcException ignored) {
                    // the connection is gone: so is the read in the guest
                }
            }
            stream.close();
        }
    }

    static Read read(Client client, String containerId, String path) throws AgentException {
        ClientStream stream = null;
        try {
            stream = client.newStream(AgentProtocol.SERVICE, "ReadArchive", StreamDesc.BIDI_STREAMING, new byte[0],
                    CallOptions.DEFAULT);
            stream.send(ReadArchiveRequest.newBuilder().setContainerId(containerId).setPath(path)
                    .setCredit(ArchivePaths.WINDOW).build().toByteArray());
            Optional<byte[]> first = stream.recv();
            if (first.isEmpty()) {
                throw new AgentException("the guest ended ReadArchive without a stat", Code.INTERNAL, false, null);
            }
            ArchiveChunk chunk = parseChunk(first.get());
            if (!chunk.hasStat() || !chunk.getData().isEmpty()) {
                throw new AgentException("the guest's first archive chunk carries no stat", Code.INTERNAL, false, null);
            }
            Read read = new Read(stream, checkStat(chunk.getStat()));
            stream = null;
            return read;
        } catch (TtrpcException e) {
            throw AgentClient.map("ReadArchive", e);
        } finally {
            if (stream != null) {
                stream.close();
            }
        }
    }

    static void write(Client client, WriteArchiveRequest target, InputStream tar) throws IOException {
        ClientStream stream;
        try {
            stream = client.newStream(AgentProtocol.SERVICE, "WriteArchive", StreamDesc.BIDI_STREAMING, new byte[0],
                    CallOptions.DEFAULT);
        } catch (TtrpcException e) {
            throw AgentClient.map("WriteArchive", e);
        }
        try (stream) {
            stream.send(target.toByteArray());
            int credit = ArchivePaths.WINDOW;
            byte[] buffer = new byte[ArchivePaths.CHUNK];
            while (true) {
                int n;
                try {
                    n = tar.read(buffer);
                } catch (IOException e) {
                    // The client went away mid-body: the guest stops, and keeps what it extracted so far.
                    stream.send(WriteArchiveRequest.newBuilder().setAbort(true).build().toByteArray());
                    stream.closeSend();
                    throw e;
                }
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                while (credit == 0) {
                    credit += nextCredit(stream);
                }
                stream.send(WriteArchiveRequest.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)).build()
                        .toByteArray());
                credit--;
            }
            stream.closeSend();
            while (true) {
                int more = nextCredit(stream);
                if (more < 0) {
                    return;
                }
            }
        } catch (TtrpcException e) {
            throw AgentClient.map("WriteArchive", e);
        }
    }

    /** The next credit the guest grants, or -1 when it has ended the stream (successfully). */
    private static int nextCredit(ClientStream stream) throws TtrpcException, AgentException {
        Optional<byte[]> next = stream.recv();
        if (next.isEmpty()) {
            return -1;
        }
        try {
            int credit = ArchiveCredit.parseFrom(next.get()).getCredit();
            if (credit <= 0 || credit > ArchivePaths.WINDOW) {
                throw new AgentException("the guest granted an impossible credit " + credit, Code.INTERNAL, false, null);
            }
            return credit;
        } catch (InvalidProtocolBufferException e) {
            throw new AgentException("the guest sent a malformed credit: " + e.getMessage(), Code.INTERNAL, false, e);
        }
    }

    private static ArchiveChunk parseChunk(byte[] bytes) throws AgentException {
        try {
            return ArchiveChunk.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AgentException("the guest sent a malformed archive chunk: " + e.getMessage(), Code.INTERNAL,
                    false, e);
        }
    }

    /** A stat from the guest, checked before the host puts it in an HTTP header. */
    static PathStat checkStat(PathStat stat) throws AgentException {
        if (stat.getName().isEmpty() || stat.getName().length() > ArchivePaths.MAX_PATH
                || stat.getLinkTarget().length() > ArchivePaths.MAX_PATH || stat.getSize() < 0) {
            throw new AgentException("the guest sent an impossible stat (name " + stat.getName().length()
                    + " chars, link target " + stat.getLinkTarget().length() + " chars, size " + stat.getSize() + ")",
                    Code.INTERNAL, false, null);
        }
        return stat;
    }
}
