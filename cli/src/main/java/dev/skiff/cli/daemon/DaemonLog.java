package dev.skiff.cli.daemon;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The daemon's log: every host class logs through {@link System.Logger}, which the JDK backs with
 * java.util.logging, and this handler on the root logger writes each record as one line
 * {@code HH:mm:ss message} to the daemon's output. WARNING and ERROR lines carry their level
 * ({@code 12:01:02 WARNING: ...}); a throwable's stack trace follows its line. SKIFF_LOG_LEVEL
 * ({@code debug}, {@code info}, {@code warning}, {@code error}) sets the level, INFO by default.
 */
final class DaemonLog extends Handler {
    static final String LEVEL_VARIABLE = "SKIFF_LOG_LEVEL";
    private static final String MANAGER_PROPERTY = "java.util.logging.manager";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintStream out;
    /**
     * Skiff's loggers, held by the handler: java.util.logging keeps loggers weakly, and their level
     * with them. Not static: a logger made when this class loads would start java.util.logging
     * before {@link #keepHandlersToTheEnd} chose its LogManager.
     */
    private final Logger skiff = Logger.getLogger("dev.skiff");

    DaemonLog(PrintStream out) {
        this.out = out;
        setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return line(record);
            }
        });
    }

    /**
     * Makes this the root logger's only handler (the JDK's two-line ConsoleHandler goes), at the
     * level {@code setting} names ({@link #level}). Debug is for Skiff's own loggers: the JDK's
     * (a stack trace per process started, a line per CA certificate) stay at INFO.
     */
    static DaemonLog install(PrintStream out, String setting) {
        Level level = level(setting);
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        DaemonLog handler = new DaemonLog(out);
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level.intValue() < Level.INFO.intValue() ? Level.INFO : level);
        handler.skiff.setLevel(level);
        return handler;
    }

    /**
     * Makes {@link KeepHandlers} the LogManager. It takes effect only before anything starts
     * java.util.logging, and the first {@link System#getLogger} does: so the daemon calls this
     * before its own logger is made.
     */
    static void keepHandlersToTheEnd() {
        if (System.getProperty(MANAGER_PROPERTY) == null) {
            System.setProperty(MANAGER_PROPERTY, KeepHandlers.class.getName());
        }
    }

    /** The level SKIFF_LOG_LEVEL names: INFO when unset or empty, else an error that lists the choices. */
    static Level level(String setting) {
        if (setting == null || setting.isBlank()) {
            return Level.INFO;
        }
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.FINE; // System.Logger's DEBUG
            case "info" -> Level.INFO;
            case "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE; // System.Logger's ERROR
            default -> throw new IllegalArgumentException(LEVEL_VARIABLE + " must be debug, info, warning or error, not "
                    + setting);
        };
    }

    /** One record as the daemon writes it, ending in a newline, its stack trace after it. */
    String line(LogRecord record) {
        StringBuilder s = new StringBuilder(128);
        s.append(LocalTime.ofInstant(record.getInstant(), ZoneId.systemDefault()).format(TIME)).append(' ');
        int level = record.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            s.append("ERROR: ");
        } else if (level >= Level.WARNING.intValue()) {
            s.append("WARNING: ");
        }
        s.append(getFormatter().formatMessage(record)).append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            s.append(trace);
        }
        return s.toString();
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String text = getFormatter().format(record);
        synchronized (out) { // one record's lines stay together
            out.print(text);
            out.flush();
        }
    }

    /**
     * The JDK's LogManager resets every logger from a shutdown hook of its own, which races the
     * daemon's hook that logs the stop, and the closing that follows it: this one keeps the handlers
     * to the end. They need no closing: each record is flushed as it is written.
     */
    public static final class KeepHandlers extends LogManager {
        @Override
        public void reset() {
            // nothing to undo: the daemon configures logging once, in install
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
