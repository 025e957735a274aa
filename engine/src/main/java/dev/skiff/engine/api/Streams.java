package dev.skiff.engine.api;

import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.FrameSink;
import dev.skiff.engine.api.Backend.StreamType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;

/**
 * Output streams as Docker frames them (swagger.yaml, "Attach to a container"): without a TTY,
 * each write is one frame behind an 8-byte header {@code [type, 0, 0, 0, length as big-endian
 * uint32]}, type 0 stdin, 1 stdout, 2 stderr; with a TTY the bytes go out raw. Also the hijacked
 * connection of attach and exec start: output out, stdin in, until the output ends.
 */
final class Streams {
    private static final Logger LOG = System.getLogger(Streams.class.getName());
    static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    static final String RAW = "application/vnd.docker.raw-stream";
    static final int HEADER_LENGTH = 8;

    private Streams() {
    }

    static String contentType(boolean tty) {
        return tty ? RAW : MULTIPLEXED;
    }

    static byte[] header(StreamType type, int length) {
        return new byte[] {(byte) type.ordinal(), 0, 0, 0,
                (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** A sink writing to {@code out}, framed unless {@code tty}; every frame is flushed at once. */
    static FrameSink sink(OutputStream out, boolean tty) {
        return new FrameSink() {
            @Override
            public synchronized void frame(StreamType type, byte[] data, int offset, int length) throws IOException {
                if (length == 0) {
                    return;
                }
                if (tty) {
                    out.write(data, offset, length);
                } else { // header and payload in one write: one chunk when the body is chunked
                    byte[] frame = new byte[HEADER_LENGTH + length];
                    System.arraycopy(header(type, length), 0, frame, 0, HEADER_LENGTH);
                    System.arraycopy(data, offset, frame, HEADER_LENGTH, length);
                    out.write(frame);
                }
                out.flush();
            }
        };
    }

    /**
     * Serves an attachment on the hijacked connection: {@code 101 UPGRADED} if the client asked
     * for {@code Upgrade: tcp}, else 200; then output frames until {@link Attachment#pump}
     * returns, while a second thread copies what the client sends into the process's stdin and
     * closes it when the client half-closes. The pump also ends when the client hangs up (closes
     * both ways, {@link Exchange#clientHungUp}): a process that prints nothing would otherwise
     * keep the stream, its thread and its place in the output until its next write. The
     * connection closes after.
     */
    static void serve(Exchange ex, Attachment attachment) throws IOException {
        CompletableFuture<Void> hungUp = null;
        try (attachment) {
            ex.request().body().transferTo(OutputStream.nullOutputStream());
            boolean upgrade = "tcp".equalsIgnoreCase(ex.request().header("Upgrade"));
            OutputStream out = ex.response().hijack(upgrade, contentType(attachment.tty()));
            OutputStream stdin = attachment.stdin();
            // Not clientGone, unlike logs -f: the CLI half-closes its side as soon as its stdin ends
            // (at once when none is attached) and still reads the output, so an end of input does not
            // mean the client went, and ending the stream then would lose output after it.
            if (stdin != null) {
                InputStream in = ex.connectionInput();
                Thread.ofVirtual().name("skiff-api-stdin").start(() -> copyStdin(in, stdin));
            }
            hungUp = ex.clientHungUp();
            hungUp.thenRun(() -> {
                LOG.log(Level.DEBUG, "an attached client hung up: its stream ends");
                attachment.close();
            });
            attachment.pump(sink(out, attachment.tty()));
            out.flush();
        } finally {
            if (hungUp != null) {
                hungUp.cancel(false); // stops the looking
            }
        }
    }

    private static void copyStdin(InputStream in, OutputStream stdin) {
        byte[] buffer = new byte[32 * 1024];
        try (stdin) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                stdin.write(buffer, 0, n);
                stdin.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stdin copy ended: " + e);
        }
    }
}
