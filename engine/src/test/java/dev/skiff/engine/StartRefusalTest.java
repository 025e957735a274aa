package dev.skiff.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartRefusalTest {
    private static final String PREFIX = "agent StartContainer: INTERNAL: crun run 0123456789ab failed (status 1): ";

    @Test
    void crunsMissingExecutableIsSaidInRuncsWordsWithExitCode127() {
        StartRefusal r = StartRefusal.of("nosuchcmd",
                PREFIX + "executable file `nosuchcmd` not found in $PATH: No such file or directory");
        assertEquals(127, r.exitCode());
        // the docker CLI exits 127 when the daemon's message has this phrase (cli/command/container/run.go)
        assertTrue(r.message().contains("exec: \"nosuchcmd\": executable file not found in $PATH"), r.message());
    }

    @Test
    void aMissingAbsolutePathIs127AndNoSuchFile() {
        StartRefusal r = StartRefusal.of("/no/such", PREFIX + "open `/no/such`: No such file or directory");
        assertEquals(127, r.exitCode());
        assertTrue(r.message().contains("exec: \"/no/such\": no such file or directory"), r.message());
    }

    @Test
    void aCommandThatCannotBeRunIs126() {
        StartRefusal r = StartRefusal.of("/etc/passwd", PREFIX + "exec `/etc/passwd`: Permission denied");
        assertEquals(126, r.exitCode());
        assertTrue(r.message().contains("permission denied"), r.message());
    }

    @Test
    void otherFailuresAreNotTheCommandsFault() {
        assertNull(StartRefusal.of("sh", PREFIX + "mount `/proc`: Operation not permitted"));
        assertNull(StartRefusal.of("sh", "agent StartContainer: the connection to the guest closed"));
        assertNull(StartRefusal.of("", PREFIX + "no such file or directory"));
    }
}
