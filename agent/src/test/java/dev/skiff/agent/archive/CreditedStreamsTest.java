package dev.skiff.agent.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.skiff.agent.api.ArchiveChunk;
import dev.skiff.agent.api.ArchiveCredit;
import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.ttrpc.ServerStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's side of the archive flow control, against a scripted stream. */
class CreditedStreamsTest {
    /** Messages from the host are scripted; each recv records how many chunks had gone out by then. */
    static final class Script implements ServerStream {
        final Deque<byte[]> fromHost = new ArrayDeque<>();
        final List<byte[]> toHost = new ArrayList<>();
        final List<Integer> sentAtRecv = new ArrayList<>();

        @Override
        public Optional<byte[]> recv() {
            sentAtRecv.add(toHost.size());
            return Optional.ofNullable(fromHost.poll());
        }

        @Override
        public void send(byte[] message) {
            toHost.add(message);
        }
    }

    @Test
    void outputWaitsForCreditBeyondTheWindow() throws IOException {
        Script s = new Script();
        s.fromHost.add(ReadArchiveRequest.newBuilder().setCredit(ArchivePaths.CREDIT_BATCH).build().toByteArray());
        CreditedOutput out = new CreditedOutput(s, ArchivePaths.WINDOW);
        byte[] data = new byte[ArchivePaths.CHUNK * (ArchivePaths.WINDOW + 2) + 5];
        new java.util.Random(1).nextBytes(data);
        out.write(data, 0, data.length);
        out.close();
        assertEquals(List.of(ArchivePaths.WINDOW), s.sentAtRecv, "the window was used up before credit was read");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (byte[] m : s.toHost) {
            ByteString d = ArchiveChunk.parseFrom(m).getData();
            assertTrue(d.size() <= ArchivePaths.CHUNK);
            got.write(d.toByteArray());
        }
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void outputStopsWhenTheHostGivesUp() throws IOException {
        Script s = new Script(); // no credit will come: recv says the host closed its side
        CreditedOutput out = new CreditedOutput(s, 1);
        byte[] chunk = new byte[ArchivePaths.CHUNK];
        out.write(chunk, 0, chunk.length);
        assertThrows(IOException.class, () -> out.write(chunk, 0, chunk.length));
        assertThrows(IOException.class, () -> new CreditedOutput(new Script(), ArchivePaths.WINDOW + 1));
    }

    @Test
    void inputGrantsCreditInBatchesAndFailsOnAbort() throws IOException {
        Script s = new Script();
        for (int i = 0; i < ArchivePaths.CREDIT_BATCH * 2; i++) {
            s.fromHost.add(WriteArchiveRequest.newBuilder().setData(ByteString.copyFrom(new byte[] {(byte) i})).build()
                    .toByteArray());
        }
        CreditedInput in = new CreditedInput(s);
        byte[] all = in.readAllBytes();
        assertEquals(ArchivePaths.CREDIT_BATCH * 2, all.length);
        assertEquals(2, s.toHost.size());
        assertEquals(ArchivePaths.CREDIT_BATCH, ArchiveCredit.parseFrom(s.toHost.getFirst()).getCredit());

        Script aborting = new Script();
        aborting.fromHost.add(WriteArchiveRequest.newBuilder().setAbort(true).build().toByteArray());
        assertThrows(IOException.class, () -> new CreditedInput(aborting).readAllBytes());
    }
}
