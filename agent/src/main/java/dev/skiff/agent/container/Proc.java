package dev.skiff.agent.container;

import dev.skiff.agent.api.ExitStatus;
import dev.skiff.agent.io.InputPump;
import dev.skiff.agent.io.OutputPump;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Terminals;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.concurrent.CompletableFuture;

/**
 * One process of a container (its init, or an exec) as the agent sees it: its pid, its input and
 * output pumps and its exit. With a terminal, stdin and stdout are the pty master and there is no
 * stderr; the stdout pump owns the master and closes it once it has read everything.
 */
public final class Proc {
    private static final byte[] CTRL_D = {4};

    final String containerId;
    final String execId;
    final int pid;
    private final boolean terminal;
    private final OutputPump stdout;
    private final OutputPump stderr; // null with a terminal
    private final InputPump stdin; // null when stdin is not open
    private final int ttyFd; // the pty master, for resizes; -1 without a terminal
    final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    Proc(String containerId, String execId, int pid, boolean terminal, int stdinFd, int ttyFd, OutputPump stdout,
            OutputPump stderr) {
        this.containerId = containerId;
        this.execId = execId;
        this.pid = pid;
        this.terminal = terminal;
        this.ttyFd = ttyFd;
        this.stdout = stdout;
        this.stderr = stderr;
        // A pty has no EOF of its own: ^D is what a reader on the slave sees as one.
        this.stdin = stdinFd < 0 ? null
                : InputPump.start(containerId + "-" + execId, stdinFd, !terminal, terminal ? CTRL_D : new byte[0]);
    }

    String name() {
        return containerId + "/" + (execId.isEmpty() ? "init" : execId);
    }

    public OutputPump output(boolean stderrWanted) throws TtrpcException {
        if (!stderrWanted) {
            return stdout;
        }
        if (stderr == null) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, name() + " has a terminal: its stderr is on stdout");
        }
        return stderr;
    }

    public void writeStdin(byte[] data) throws TtrpcException {
        if (stdin == null) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "stdin of " + name() + " is not open");
        }
        try {
            stdin.write(data);
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "stdin of " + name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted writing stdin of " + name());
        }
    }

    public void closeStdin() {
        if (stdin != null) {
            stdin.end();
        }
    }

    public void resize(int rows, int cols) throws TtrpcException {
        if (ttyFd < 0) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, name() + " has no terminal to resize");
        }
        if (exit.isDone()) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, name() + " has exited");
        }
        try {
            Terminals.setWindowSize(ttyFd, rows, cols);
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.INTERNAL, "resize " + name() + ": " + e.getMessage());
        }
    }

    /** Called once the process has exited and been reaped. */
    void exited(ExitStatus status) {
        exit.complete(status);
        if (!terminal) {
            closeStdin(); // a pipe nobody reads any more; for a pty, writing ^D now would be pointless
        }
    }
}
