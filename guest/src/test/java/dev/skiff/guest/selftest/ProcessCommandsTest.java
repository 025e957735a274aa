package dev.skiff.guest.selftest;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RUN, START, WAIT and KILL on the build host, through the reaper (a JVM of its own: guest/pom.xml). */
class ProcessCommandsTest {
    private final ProcessCommands commands = new ProcessCommands();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void runAnswersTheExitCodeAndStdoutAndStderrTogether() throws Exception {
        assertEquals("OK 3 " + b64("out\nerr\n"),
                commands.run(SelftestProtocol.encodeArgv("/bin/sh", "-c", "echo out; echo err >&2; exit 3")));
        assertEquals("OK 0 " + b64("by name\n"), commands.run(SelftestProtocol.encodeArgv("sh", "-c", "echo by name")),
                "a program name is looked up in PATH");
        assertEquals("OK 0 " + b64(""), commands.run(SelftestProtocol.encodeArgv("/bin/cat")), "stdin is /dev/null");
        IOException e = assertThrows(IOException.class, () -> commands.run(SelftestProtocol.encodeArgv("/nonexistent")));
        assertTrue(e.getMessage().contains("/nonexistent"), e.getMessage());
    }

    @Test
    void outputIsCappedAndABackgroundDescendantDoesNotHoldTheAnswer() throws Exception {
        String big = commands.run(SelftestProtocol.encodeArgv("/bin/sh", "-c", "head -c 300000 /dev/zero"));
        assertEquals(ProcessCommands.MAX_OUTPUT, Base64.getDecoder().decode(big.split(" ")[2]).length);
        long start = System.nanoTime();
        assertEquals("OK 0 " + b64("hi\n"), commands.run(SelftestProtocol.encodeArgv("/bin/sh", "-c", "sleep 30 & echo hi")));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "answered after the grace, not after the sleep");
    }

    @Test
    void startKillAndWaitReportTheSignal() throws Exception {
        String started = commands.start("s", SelftestProtocol.encodeArgv("/bin/sleep", "60"));
        assertTrue(started.matches("OK [0-9]+"), started);
        assertThrows(IOException.class, () -> commands.start("s", SelftestProtocol.encodeArgv("/bin/true")),
                "the id is in use");
        IOException still = assertThrows(IOException.class, () -> commands.await("s", 0));
        assertTrue(still.getMessage().contains("still runs"), still.getMessage());
        assertEquals("OK", commands.kill("s"));
        assertEquals("OK 137 ", commands.await("s", 20));
        assertThrows(IOException.class, () -> commands.await("s", 1), "forgotten once waited for");
    }
}
