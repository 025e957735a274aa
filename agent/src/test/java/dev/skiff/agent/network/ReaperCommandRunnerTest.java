package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReaperCommandRunnerTest {
    /** The one-shell script of runAll must hand every argument over exactly, quotes and spaces too. */
    @Test
    void aQuotedWordIsTheArgumentItself() throws Exception {
        for (String arg : List.of("plain", "with space", "it's", "'", "''", "$HOME", "a\"b", "back\\slash", "", "new\nline")) {
            Process p = new ProcessBuilder("/bin/sh", "-c", "printf %s " + IpCommands.quote(arg)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            assertEquals(arg, out, "the shell's word for " + arg);
        }
    }
}
