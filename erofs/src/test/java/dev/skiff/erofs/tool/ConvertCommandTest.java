package dev.skiff.erofs.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.erofs.ErofsTools;
import dev.skiff.erofs.TarBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConvertCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ConvertCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void convertsAndPrintsASummary() throws Exception {
        Path in = tmp.resolve("layer.tar.gz");
        Files.write(in, TarBuilder.gzip(TarBuilder.of(TarBuilder.list(TarBuilder.dir("a/"),
                TarBuilder.file("a/b", "hello")))));
        Path out = tmp.resolve("layer.erofs");
        Run r = run(in.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("entries 2, bytes in " + Files.size(in) + ", bytes out " + Files.size(out)
                + ", seconds \\d+\\.\\d{3}\\R"), r.out());
        ErofsTools.fsck(out);
    }

    @Test
    void failuresSayWhatAndExitOne() throws Exception {
        Path in = tmp.resolve("bad.tar");
        Files.write(in, TarBuilder.of(TarBuilder.list(TarBuilder.file("../escape", "x"))));
        Run r = run(in.toString(), tmp.resolve("o.erofs").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("skiff layer convert: failed to convert " + in + ": entry '../escape'"), r.err());
        assertTrue(Files.notExists(tmp.resolve("o.erofs")));
        Run missing = run(tmp.resolve("nope.tar").toString(), tmp.resolve("o.erofs").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("nope.tar"), missing.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run().exit());
        assertEquals(0, run("--help").exit());
    }
}
