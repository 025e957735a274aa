package dev.skiff.cli.selftest;

import dev.skiff.vm.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends bytes to a guest echo on a channel and checks that the same bytes come back, in order. */
public final class RoundTrip {
    private RoundTrip() {}

    /** @return nanoseconds from the first byte sent to the last byte received */
    public static long check(Channel channel, int size, Duration timeout) throws IOException {
        byte[] sent = new byte[size];
        new Random(size).nextBytes(sent);
        byte[] got = new byte[size];
        try (ByteChannel ch = channel.connect()) {
            long start = System.nanoTime();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer b = ByteBuffer.wrap(sent);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                } catch (IOException ignored) {
                    // the reader reports the failure
                }
            });
            CompletableFuture<Void> deadline = new CompletableFuture<>();
            deadline.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).thenRun(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing to unblock the reader
                }
            });
            ByteBuffer in = ByteBuffer.wrap(got);
            try {
                while (in.hasRemaining()) {
                    if (ch.read(in) < 0) {
                        throw new IOException("channel " + channel.name() + " closed after " + in.position()
                                + " of " + size + " bytes came back");
                    }
                }
            } catch (IOException e) {
                if (deadline.isDone()) {
                    throw new IOException("echo on channel " + channel.name() + " returned " + in.position() + " of "
                            + size + " bytes within " + timeout.toSeconds() + " s", e);
                }
                throw e;
            } finally {
                deadline.cancel(false);
            }
            long elapsed = System.nanoTime() - start;
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!Arrays.equals(sent, got)) {
                throw new IOException("channel " + channel.name() + " returned different bytes than were sent");
            }
            return elapsed;
        }
    }
}
