package dev.skiff.engine.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What a logger and the loggers below it log, for a test to assert on: the host classes log
 * through {@link System.Logger}, which java.util.logging backs, so a handler on the logger of a
 * class (or of a package, for all its classes) sees their messages, at every level, until
 * {@link #close}.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger; // held: java.util.logging keeps loggers weakly, and with them their level
    private final Level previous;
    private final Handler handler;
    private final List<String> lines = new ArrayList<>(); // guarded by this

    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        previous = logger.getLevel();
        Formatter messages = new SimpleFormatter();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                add(messages.formatMessage(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** What {@code type}'s logger logs. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    /** The messages so far, oldest first. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a message matches, and returns the first that does; fails, with all messages, after {@code timeout}. */
    public synchronized String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : lines) {
                if (match.test(line)) {
                    return line;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no such log line within " + timeout + "; logged: " + lines);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previous);
    }
}
