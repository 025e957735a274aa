package dev.skiff.agent.network;

import dev.skiff.guest.process.FdOutputStream;
import dev.skiff.guest.process.Reaper;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Pipes;
import dev.skiff.sys.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs commands through the agent's {@link Reaper} (the agent is PID 1: nothing else may wait for
 * children). Output goes to a file rather than a pipe, so no reader thread is needed and a
 * command that fills a pipe cannot stall; the file is read once the command has exited.
 */
final class ReaperCommandRunner implements CommandRunner {
    /** A network command that has not ended in this long is stuck (generous for TCG emulation). */
    static final long TIMEOUT_SECONDS = 60;
    private static final List<String> ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");

    private final Path scratch;
    private final AtomicLong counter = new AtomicLong();

    /** @param scratch a folder for the commands' output files */
    ReaperCommandRunner(Path scratch) {
        this.scratch = scratch;
    }

    @Override
    public String run(List<String> argv, String stdin) throws IOException {
        Files.createDirectories(scratch);
        Path out = scratch.resolve("cmd-" + counter.incrementAndGet() + ".out");
        try {
            Reaper.Child child = spawn(argv, stdin, out);
            Processes.ExitStatus status = await(child, argv);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (!status.exited() || status.exitCode() != 0) {
                throw new Failed(argv, "status " + status.shellCode(), output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * One busybox shell for all of them ({@code set -e}: the first failure ends it, and {@code -x}
     * puts each command before its own error in what the failure quotes). A container's namespace
     * takes eight commands, and each process the agent starts costs it 30 to 60 ms under TCG where
     * the shell forks one in under 10.
     */
    @Override
    public void runAll(List<List<String>> commands) throws IOException {
        if (commands.size() < 2) {
            CommandRunner.super.runAll(commands);
            return;
        }
        StringBuilder script = new StringBuilder("set -ex\n");
        for (List<String> argv : commands) {
            script.append(IpCommands.shellLine(argv)).append('\n');
        }
        run(List.of(IpCommands.BUSYBOX, "sh", "-c", script.toString()), null);
    }

    private static Reaper.Child spawn(List<String> argv, String stdin, Path out) throws IOException {
        int outFd = Fds.openat2(Fds.AT_FDCWD, out.toString(),
                OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC | OpenFlags.O_CLOEXEC, 0600, 0);
        int[] in = null;
        Reaper.Child child;
        try {
            in = stdin == null ? null : Pipes.pipe2(Pipes.O_CLOEXEC);
            child = Reaper.shared().spawn(argv.getFirst(), argv, ENV, "/",
                    new int[] {in == null ? -1 : in[0], outFd, outFd}, false);
        } catch (ErrnoException | RuntimeException e) {
            if (in != null) {
                Fds.close(in[1]);
            }
            throw e;
        } finally {
            Fds.close(outFd);
            if (in != null) {
                Fds.close(in[0]);
            }
        }
        if (in != null) {
            try (FdOutputStream w = new FdOutputStream(in[1])) {
                w.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // EPIPE: the command ended without reading all of it; its exit status says why
            }
        }
        return child;
    }

    private static Processes.ExitStatus await(Reaper.Child child, List<String> argv) throws IOException {
        try {
            return child.exit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            Reaper.shared().kill(child.pid(), Processes.SIGKILL);
            throw new IOException(String.join(" ", argv) + " did not finish in " + TIMEOUT_SECONDS + " s; killed it");
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for " + argv.getFirst() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + argv.getFirst(), e);
        }
    }
}
