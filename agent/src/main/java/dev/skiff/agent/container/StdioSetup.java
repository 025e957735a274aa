package dev.skiff.agent.container;

import dev.skiff.agent.api.Stdio;
import dev.skiff.agent.io.OutputPump;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.FdPassing;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Pipes;
import dev.skiff.sys.Terminals;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stdio of one process being created by runc.
 *
 * <p>Without a terminal: three pipes that we create, whose child ends runc hands to the process
 * (runc's "pass-through" mode), so the process keeps them after runc exits. With a terminal: runc
 * creates the pty and sends its master over a console socket (SCM_RIGHTS) that we listen on.
 */
final class StdioSetup implements AutoCloseable {
    private static final AtomicInteger CONSOLES = new AtomicInteger();
    static final Path CONSOLE_DIR = Path.of("/run/skiff/consoles");

    private final String name;
    private final Stdio stdio;
    private final List<Integer> ours = new ArrayList<>();   // our ends: closed on failure
    private final List<Integer> theirs = new ArrayList<>(); // child ends: closed once runc has them
    private final int[] childStdio;
    private final Path consoleSocket;
    private final int listenFd;
    private final CompletableFuture<Integer> master;
    private int stdinW = -1, stdoutR = -1, stderrR = -1;

    private StdioSetup(String name, Stdio stdio) throws java.io.IOException {
        this.name = name;
        this.stdio = stdio;
        if (stdio.getTerminal()) {
            childStdio = new int[] {-1, -1, -1};
            Files.createDirectories(CONSOLE_DIR);
            consoleSocket = CONSOLE_DIR.resolve(CONSOLES.incrementAndGet() + ".sock");
            Files.deleteIfExists(consoleSocket);
            listenFd = FdPassing.listenUnix(consoleSocket.toString());
            master = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("console-" + name).start(this::acceptMaster);
        } else {
            consoleSocket = null;
            listenFd = -1;
            master = null;
            int stdinR = -1;
            if (stdio.getStdin()) {
                int[] p = pipe();
                stdinR = p[0];
                stdinW = p[1];
                theirs.add(stdinR);
                ours.add(stdinW);
            }
            int[] out = pipe();
            int[] err = pipe();
            stdoutR = out[0];
            stderrR = err[0];
            ours.add(stdoutR);
            ours.add(stderrR);
            theirs.add(out[1]);
            theirs.add(err[1]);
            childStdio = new int[] {stdinR, out[1], err[1]};
        }
    }

    static StdioSetup prepare(String name, Stdio stdio) throws TtrpcException {
        try {
            return new StdioSetup(name, stdio);
        } catch (java.io.IOException e) {
            throw new TtrpcException(Code.INTERNAL, "stdio for " + name + ": " + e.getMessage());
        }
    }

    private int[] pipe() throws ErrnoException {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        return p;
    }

    private void acceptMaster() {
        try {
            int conn = FdPassing.accept(listenFd);
            try {
                master.complete(FdPassing.receiveFd(conn));
            } finally {
                Fds.close(conn);
            }
        } catch (java.io.IOException e) {
            master.completeExceptionally(e);
        }
    }

    /** stdin, stdout, stderr for the runc process. */
    int[] runcStdio() {
        return childStdio;
    }

    /** Extra runc arguments: the console socket, with a terminal. */
    List<String> runcArgs() {
        return consoleSocket == null ? List.of() : List.of("--console-socket", consoleSocket.toString());
    }

    /** After runc succeeded: drops our copies of the child's ends and starts the output pumps. */
    Proc finish(String containerId, String execId, int pid) throws TtrpcException {
        closeAll(theirs);
        if (master == null) {
            OutputPump out = OutputPump.start(name + "-stdout", stdoutR);
            OutputPump err = OutputPump.start(name + "-stderr", stderrR);
            ours.clear(); // the pumps own the read ends, the Proc owns stdin
            return new Proc(containerId, execId, pid, false, stdinW, -1, out, err);
        }
        int m;
        try {
            m = master.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new TtrpcException(Code.INTERNAL, "runc sent no terminal for " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted");
        }
        try {
            if (stdio.getRows() > 0 && stdio.getCols() > 0) {
                Terminals.setWindowSize(m, stdio.getRows(), stdio.getCols());
            }
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.INTERNAL, "terminal size of " + name + ": " + e.getMessage());
        }
        OutputPump out = OutputPump.start(name + "-tty", m);
        return new Proc(containerId, execId, pid, true, stdio.getStdin() ? m : -1, m, out, null);
    }

    /** Closes whatever is still ours: every fd on failure, only the console listener on success. */
    @Override
    public void close() {
        closeAll(theirs);
        closeAll(ours);
        if (listenFd >= 0) {
            if (!master.isDone()) {
                // close(2) does not wake a thread blocked in accept(2): connect to it instead, so it
                // gets a connection without an fd and ends.
                try {
                    Fds.close(FdPassing.connectUnix(consoleSocket.toString()));
                } catch (ErrnoException ignored) {
                    // nobody listening any more
                }
            }
            try {
                Fds.close(listenFd);
            } catch (ErrnoException ignored) {
                // closing wakes the accept thread if runc never connected
            }
            try {
                Files.deleteIfExists(consoleSocket);
            } catch (java.io.IOException ignored) {
                // a stale socket file in tmpfs is harmless
            }
        }
    }

    private static void closeAll(List<Integer> fds) {
        for (int fd : fds) {
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // already gone
            }
        }
        fds.clear();
    }
}
