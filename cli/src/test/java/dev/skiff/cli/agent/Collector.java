package dev.skiff.cli.agent;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Collects a process's output as it arrives, and lets a test wait for a piece of it. */
final class Collector extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits (woken by each write) until the output contains {@code piece}. */
    synchronized void awaitContains(String piece, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(piece)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no \"" + piece + "\" in output after " + timeout.toSeconds() + " s: " + text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
