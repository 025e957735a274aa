package dev.skiff.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class DaemonLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DaemonLog log = new DaemonLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static LogRecord record(Level level, String message, int hour, int minute, int second) {
        LogRecord r = new LogRecord(level, message);
        r.setInstant(LocalTime.of(hour, minute, second).atDate(java.time.LocalDate.of(2026, 1, 2))
                .atZone(ZoneId.systemDefault()).toInstant());
        return r;
    }

    @Test
    void oneLinePerRecordWithTheLevelOnlyForWarningsAndErrors() {
        log.publish(record(Level.INFO, "API listening on unix:///run/skiff/docker.sock", 12, 1, 2));
        log.publish(record(Level.WARNING, "cannot save the state of 0123456789ab: disk full", 12, 1, 3));
        log.publish(record(Level.SEVERE, "failed to serve GET /info", 9, 0, 0));
        assertEquals(String.join(System.lineSeparator(), "12:01:02 API listening on unix:///run/skiff/docker.sock",
                "12:01:03 WARNING: cannot save the state of 0123456789ab: disk full",
                "09:00:00 ERROR: failed to serve GET /info", ""), written());
    }

    @Test
    void aThrowableItsStackTraceAfterTheLine() {
        LogRecord r = record(Level.SEVERE, "I/O error while serving GET /images/get", 23, 59, 59);
        r.setThrown(new IllegalStateException("broken"));
        log.publish(r);
        List<String> lines = written().lines().toList();
        assertEquals("23:59:59 ERROR: I/O error while serving GET /images/get", lines.get(0));
        assertEquals("java.lang.IllegalStateException: broken", lines.get(1));
        assertTrue(lines.get(2).startsWith("\tat dev.skiff.cli.daemon.DaemonLogTest."), lines.get(2));
    }

    @Test
    void theLevelFromSkiffLogLevel() {
        assertEquals(Level.INFO, DaemonLog.level(null));
        assertEquals(Level.INFO, DaemonLog.level(""));
        assertEquals(Level.FINE, DaemonLog.level("debug"));
        assertEquals(Level.FINE, DaemonLog.level("DEBUG"));
        assertEquals(Level.INFO, DaemonLog.level("info"));
        assertEquals(Level.WARNING, DaemonLog.level("warning"));
        assertEquals(Level.SEVERE, DaemonLog.level("error"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DaemonLog.level("verbose"));
        assertEquals("SKIFF_LOG_LEVEL must be debug, info, warning or error, not verbose", e.getMessage());
    }

    @Test
    void installMakesItTheOnlyRootHandlerAtThatLevel() {
        Logger root = LogManager.getLogManager().getLogger("");
        Handler[] before = root.getHandlers();
        Level beforeLevel = root.getLevel();
        try {
            DaemonLog.install(new PrintStream(bytes, true, StandardCharsets.UTF_8), "debug");
            assertEquals(1, root.getHandlers().length);
            System.Logger logger = System.getLogger(DaemonLogTest.class.getName());
            logger.log(System.Logger.Level.DEBUG, "GET /_ping 200 0 ms");
            logger.log(System.Logger.Level.TRACE, "not at debug");
            System.getLogger("java.lang.ProcessBuilder").log(System.Logger.Level.DEBUG, "the JDK's own, left out");
            String line = written().strip();
            assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d GET /_ping 200 0 ms"), line);
        } finally {
            Logger.getLogger("dev.skiff").setLevel(null);
            for (Handler h : root.getHandlers()) {
                root.removeHandler(h);
            }
            for (Handler h : before) {
                root.addHandler(h);
            }
            root.setLevel(beforeLevel);
        }
    }

    @Test
    void recordsBelowTheLevelAreLeftOut() {
        log.setLevel(Level.INFO);
        log.publish(new LogRecord(Level.FINE, "chatty"));
        assertEquals("", written());
    }
}
