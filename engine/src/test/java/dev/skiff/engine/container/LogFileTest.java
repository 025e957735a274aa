package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.engine.api.Backend.StreamType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a daemon that takes up a running container after a crash finds in its log. */
class LogFileTest {
    @TempDir
    Path dir;

    private static Frame frame(StreamType type, String text) {
        return new Frame(type, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<Frame> frames) {
        return frames.stream().map(f -> new String(f.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void resumeCountsEachStreamsBytesSinceTheRunBeganAndReadersSkipTheRunMarks() throws Exception {
        LogFile log = new LogFile(dir.resolve("container.log"));
        log.beginRun();
        log.append(frame(StreamType.STDOUT, "first run\n"));
        log.beginRun();
        log.append(frame(StreamType.STDOUT, "0\n"));
        log.append(frame(StreamType.STDERR, "oops\n"));
        log.append(frame(StreamType.STDOUT, "1\n"));

        assertArrayEquals(new long[] {4, 5}, new LogFile(log.path()).resume(), "stdout and stderr of the second run");
        assertEquals(List.of("first run\n", "0\n", "oops\n", "1\n"), texts(log.read(-1)));
        assertEquals(List.of("oops\n", "1\n"), texts(log.read(2)), "--tail counts output frames only");
    }

    @Test
    void aFrameCutShortByACrashIsCutOffSoTheNextDaemonAppendsAfterWholeFrames() throws Exception {
        LogFile old = new LogFile(dir.resolve("container.log"));
        old.beginRun();
        old.append(frame(StreamType.STDOUT, "0\n"));
        old.close();
        // the header of a frame and one of its 2 bytes, as a daemon killed in mid-write would leave
        Files.write(old.path(), new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, '1'}, StandardOpenOption.APPEND);

        LogFile log = new LogFile(old.path());
        assertArrayEquals(new long[] {2, 0}, log.resume());
        log.append(frame(StreamType.STDOUT, "1\n"));
        assertEquals(List.of("0\n", "1\n"), texts(log.read(-1)));
    }
}
