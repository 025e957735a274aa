package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.virtiofs.host.HostMessage.*;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames {@link HostMessage}s on a stream: a 4-byte big-endian length, then a type byte and the
 * message's fields (strings as modified UTF-8, at most 64 KiB each). Both ends are Skiff's, but
 * a frame is checked all the same: its length against {@link #MAX_FRAME}, every list against
 * {@link #MAX_LIST}, and nothing may be left over after the message.
 */
public final class HostCodec {
    /** The largest frame: an {@link Expect} of {@link #MAX_LIST} changes with long paths fits. */
    public static final int MAX_FRAME = 8 << 20;
    /** The most entries in one list (changes, skipped indexes, shares). */
    public static final int MAX_LIST = 1024;

    private HostCodec() {}

    /** Writes one framed message. */
    public static void write(OutputStream out, HostMessage m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        DataOutputStream d = new DataOutputStream(bytes);
        switch (m) {
            case Serve s -> {
                d.writeByte(1);
                d.writeUTF(s.vm());
                d.writeUTF(s.tag());
                d.writeUTF(s.socket());
                d.writeUTF(s.dir());
                d.writeBoolean(s.readOnly());
                d.writeInt(s.replayUid());
                d.writeLong(s.echoWindowMillis());
            }
            case Adopt a -> {
                d.writeByte(2);
                d.writeUTF(a.vm());
                d.writeUTF(a.tag());
            }
            case Release r -> {
                d.writeByte(3);
                d.writeUTF(r.vm());
                d.writeUTF(r.tag());
            }
            case Expect e -> {
                d.writeByte(4);
                d.writeUTF(e.vm());
                d.writeUTF(e.tag());
                writeCount(d, e.changes().size());
                for (HostChange c : e.changes()) {
                    writeChange(d, c);
                }
            }
            case EndReplay e -> {
                d.writeByte(5);
                d.writeUTF(e.vm());
                d.writeUTF(e.tag());
                d.writeLong(e.id());
            }
            case Echo e -> {
                d.writeByte(6);
                d.writeUTF(e.vm());
                d.writeUTF(e.tag());
                d.writeByte(e.kind().ordinal());
                d.writeLong(e.dev());
                d.writeLong(e.ino());
                d.writeUTF(e.name());
            }
            case ListShares l -> d.writeByte(7);
            case Done x -> d.writeByte(64);
            case Failed f -> {
                d.writeByte(65);
                d.writeUTF(f.message().length() > 8192 ? f.message().substring(0, 8192) : f.message());
            }
            case Expecting e -> {
                d.writeByte(66);
                d.writeLong(e.id());
                writeCount(d, e.skipped().size());
                for (int i : e.skipped()) {
                    d.writeInt(i);
                }
            }
            case Answer a -> {
                d.writeByte(67);
                d.writeBoolean(a.yes());
            }
            case Shares s -> {
                d.writeByte(68);
                writeCount(d, s.shares().size());
                for (ShareInfo i : s.shares()) {
                    d.writeUTF(i.vm());
                    d.writeUTF(i.tag());
                    d.writeUTF(i.dir());
                    d.writeBoolean(i.readOnly());
                }
            }
        }
        d.flush();
        if (bytes.size() > MAX_FRAME) {
            throw new IOException("a " + m.getClass().getSimpleName() + " message of " + bytes.size()
                    + " bytes is over the control connection's limit of " + MAX_FRAME);
        }
        DataOutputStream frame = new DataOutputStream(out);
        frame.writeInt(bytes.size());
        bytes.writeTo(frame);
        frame.flush();
    }

    /** Reads one framed message; null at a clean end of the stream (between frames). */
    public static HostMessage read(InputStream in) throws IOException {
        DataInputStream frame = new DataInputStream(in);
        int first = frame.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (frame.readUnsignedByte() << 16) | (frame.readUnsignedByte() << 8) | frame.readUnsignedByte();
        if (length <= 0 || length > MAX_FRAME) {
            throw new IOException("control frame of " + length + " bytes (1 to " + MAX_FRAME + " allowed)");
        }
        byte[] body = new byte[length];
        frame.readFully(body);
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(body));
        HostMessage m;
        try {
            m = decode(d);
        } catch (EOFException e) {
            throw new IOException("control frame of " + length + " bytes ends inside its message");
        }
        if (d.available() > 0) {
            throw new IOException("control frame has " + d.available() + " bytes after its " + m.getClass().getSimpleName());
        }
        return m;
    }

    private static HostMessage decode(DataInputStream d) throws IOException {
        int type = d.readUnsignedByte();
        return switch (type) {
            case 1 -> new Serve(d.readUTF(), d.readUTF(), d.readUTF(), d.readUTF(), d.readBoolean(), d.readInt(), d.readLong());
            case 2 -> new Adopt(d.readUTF(), d.readUTF());
            case 3 -> new Release(d.readUTF(), d.readUTF());
            case 4 -> {
                String vm = d.readUTF(), tag = d.readUTF();
                int n = readCount(d);
                List<HostChange> changes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    changes.add(readChange(d));
                }
                yield new Expect(vm, tag, List.copyOf(changes));
            }
            case 5 -> new EndReplay(d.readUTF(), d.readUTF(), d.readLong());
            case 6 -> {
                String vm = d.readUTF(), tag = d.readUTF();
                int kind = d.readUnsignedByte();
                if (kind >= EchoKind.values().length) {
                    throw new IOException("unknown echo query kind " + kind);
                }
                yield new Echo(vm, tag, EchoKind.values()[kind], d.readLong(), d.readLong(), d.readUTF());
            }
            case 7 -> new ListShares();
            case 64 -> new Done();
            case 65 -> new Failed(d.readUTF());
            case 66 -> {
                long id = d.readLong();
                int n = readCount(d);
                List<Integer> skipped = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    skipped.add(d.readInt());
                }
                yield new Expecting(id, List.copyOf(skipped));
            }
            case 67 -> new Answer(d.readBoolean());
            case 68 -> {
                int n = readCount(d);
                List<ShareInfo> shares = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    shares.add(new ShareInfo(d.readUTF(), d.readUTF(), d.readUTF(), d.readBoolean()));
                }
                yield new Shares(List.copyOf(shares));
            }
            default -> throw new IOException("unknown control message type " + type);
        };
    }

    private static void writeCount(DataOutputStream d, int n) throws IOException {
        if (n > MAX_LIST) {
            throw new IOException("a list of " + n + " entries is over the control connection's limit of " + MAX_LIST);
        }
        d.writeInt(n);
    }

    private static int readCount(DataInputStream d) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > MAX_LIST) {
            throw new IOException("a list of " + n + " entries (0 to " + MAX_LIST + " allowed)");
        }
        return n;
    }

    private static void writeChange(DataOutputStream d, HostChange c) throws IOException {
        switch (c) {
            case HostChange.Created x -> {
                d.writeByte(1);
                d.writeUTF(x.path());
                d.writeBoolean(x.directory());
            }
            case HostChange.Deleted x -> {
                d.writeByte(2);
                d.writeUTF(x.path());
                d.writeBoolean(x.directory());
            }
            case HostChange.Moved x -> {
                d.writeByte(3);
                d.writeUTF(x.from());
                d.writeUTF(x.to());
                d.writeBoolean(x.directory());
            }
            case HostChange.Modified x -> {
                d.writeByte(4);
                d.writeUTF(x.path());
            }
            case HostChange.Written x -> {
                d.writeByte(5);
                d.writeUTF(x.path());
            }
            case HostChange.AttributesChanged x -> {
                d.writeByte(6);
                d.writeUTF(x.path());
            }
        }
    }

    private static HostChange readChange(DataInputStream d) throws IOException {
        int kind = d.readUnsignedByte();
        return switch (kind) {
            case 1 -> new HostChange.Created(d.readUTF(), d.readBoolean());
            case 2 -> new HostChange.Deleted(d.readUTF(), d.readBoolean());
            case 3 -> new HostChange.Moved(d.readUTF(), d.readUTF(), d.readBoolean());
            case 4 -> new HostChange.Modified(d.readUTF());
            case 5 -> new HostChange.Written(d.readUTF());
            case 6 -> new HostChange.AttributesChanged(d.readUTF());
            default -> throw new IOException("unknown host change kind " + kind);
        };
    }
}
