package dev.skiff.engine.container;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A container's stdin as clients see it: open from the moment they attach (docker run attaches
 * before it starts the container), fed into the agent's input stream once the process exists.
 * Closing it closes the process's stdin.
 */
public final class StdinRelay {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /** The stream a client writes to. */
    public OutputStream clientSide() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) {
                    throw new IOException("stdin is closed");
                }
                if (len > 0) {
                    queue.add(java.util.Arrays.copyOfRange(b, off, off + len));
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    queue.add(EOF);
                }
            }
        };
    }

    /** Starts copying into the process's stdin; ends (closing it) when the client closes its side. */
    public void connect(OutputStream processStdin, String name) {
        Thread.ofVirtual().name("stdin-" + name).start(() -> {
            try (processStdin) {
                while (true) {
                    byte[] b = queue.take();
                    if (b == EOF) {
                        return;
                    }
                    processStdin.write(b);
                }
            } catch (IOException e) {
                closed = true; // the process or its VM went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
