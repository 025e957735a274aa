package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Child processes without {@link ProcessBuilder}: posix_spawn(3) with explicit stdio descriptors,
 * waitpid(2) and waitid(2), kill(2), and prctl(PR_SET_CHILD_SUBREAPER).
 *
 * <p>The JVM blocks and handles signals; a spawned child starts with an empty signal mask and
 * every signal 1..64 at its default disposition (POSIX_SPAWN_SETSIGMASK, POSIX_SPAWN_SETSIGDEF).
 * It gets exactly the descriptors it is given as stdio: posix_spawn_file_actions_addclosefrom_np
 * (glibc 2.34) closes everything above them, whether close-on-exec or not.
 */
public final class Processes {
    private Processes() {}

    /** Signal numbers, arch/x86/include/uapi/asm/signal.h (arm64 uses the same). */
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12,
            SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
            SIGWINCH = 28;
    /** waitpid(2) option, include/uapi/linux/wait.h. */
    public static final int WNOHANG = 1;
    /** ECHILD is what waitpid(-1) says when there is no child left. */
    public static final int ECHILD = Errno.ECHILD;

    /** waitid(2) options and idtype, include/uapi/linux/wait.h. */
    static final int WEXITED = 4, WNOWAIT = 0x01000000, P_ALL = 0;
    /** prctl(2) option, include/uapi/linux/prctl.h. */
    static final int PR_SET_CHILD_SUBREAPER = 36;
    /** fcntl(2) command, include/uapi/linux/fcntl.h. */
    static final int F_DUPFD_CLOEXEC = 1030;
    /** posix_spawnattr flags, glibc posix/spawn.h. */
    static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    /**
     * glibc x86-64 has sizeof(posix_spawn_file_actions_t) == 80 and sizeof(posix_spawnattr_t) ==
     * 336; both are allocated with room to spare. sigset_t is 1024 bits.
     */
    static final long FILE_ACTIONS_SIZE = 512, SPAWNATTR_SIZE = 1024, SIGSET_SIZE = 128;
    /** sizeof(siginfo_t), and the offset of si_pid in it on 64-bit Linux. */
    static final long SIGINFO_SIZE = 128, SI_PID = 16;

    private static final MethodHandle POSIX_SPAWN = Libc.downcall("posix_spawn",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    private static final MethodHandle FA_INIT = Libc.downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle FA_DESTROY = Libc.downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle FA_ADDDUP2 = Libc.downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle FA_ADDOPEN = Libc.downcall("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle FA_ADDCHDIR = Libc.downcall("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle FA_ADDCLOSEFROM = Libc.downcall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle ATTR_INIT = Libc.downcall("posix_spawnattr_init",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle ATTR_DESTROY = Libc.downcall("posix_spawnattr_destroy",
            FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle ATTR_SETFLAGS = Libc.downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(C_INT, C_POINTER, ValueLayout.JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Libc.downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Libc.downcall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle WAITPID = Libc.downcall("waitpid",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle WAITID = Libc.downcall("waitid",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle KILL = Libc.downcall("kill", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle PRCTL = Calls.variadic("prctl", FunctionDescriptor.of(C_INT, C_INT, C_LONG), 1);
    private static final MethodHandle FCNTL_INT = Calls.variadic("fcntl",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT), 2);

    /**
     * A wait status as waitpid(2) returns it, decoded as the W* macros of glibc's
     * bits/waitstatus.h do.
     */
    public record ExitStatus(int pid, int raw) {
        /** WIFEXITED. */
        public boolean exited() {
            return (raw & 0x7f) == 0;
        }

        /** WEXITSTATUS; meaningful when {@link #exited()}. */
        public int exitCode() {
            return (raw >> 8) & 0xff;
        }

        /** WIFSIGNALED. */
        public boolean signaled() {
            return ((byte) ((raw & 0x7f) + 1) >> 1) > 0;
        }

        /** WTERMSIG; meaningful when {@link #signaled()}. */
        public int signal() {
            return raw & 0x7f;
        }

        /** The exit code, or 128 + the signal for a signal death, as a shell and Docker report it. */
        public int shellCode() {
            if (exited()) {
                return exitCode();
            }
            if (signaled()) {
                return 128 + signal();
            }
            throw new IllegalStateException("process " + pid + " has neither exited nor died of a signal: 0x"
                    + Integer.toHexString(raw));
        }

        @Override
        public String toString() {
            return "process " + pid + (exited() ? " exited with " + exitCode()
                    : signaled() ? " killed by signal " + signal() : " status 0x" + Integer.toHexString(raw));
        }
    }

    /**
     * posix_spawn(3): runs {@code path} (no PATH search) with {@code argv} and exactly the
     * environment {@code env} ("NAME=value" strings), in {@code cwd} (null: ours).
     *
     * <p>{@code stdio[i]} becomes descriptor {@code i} in the child, inheritable; -1 opens
     * /dev/null there instead. No other descriptor reaches the child. Sources may be any of our
     * descriptors, close-on-exec or not, also ones below {@code stdio.length} (they are first
     * duplicated above it, so no dup2 overwrites a later source). With {@code newSession} the
     * child calls setsid(2) and leads a new session and process group.
     *
     * @return the child's pid; reap it with {@link #waitpid} (or a reaper)
     * @throws ErrnoException naming posix_spawn and the path, with the error posix_spawn returned
     *     (glibc reports a failed exec, e.g. ENOENT or EACCES, this way too)
     */
    public static int spawn(String path, List<String> argv, List<String> env, String cwd, int[] stdio,
            boolean newSession) throws ErrnoException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must hold at least the program name");
        }
        checkNoNul(path);
        argv.forEach(Processes::checkNoNul);
        env.forEach(Processes::checkNoNul);
        if (cwd != null) {
            checkNoNul(cwd);
        }
        int n = stdio.length;
        for (int fd : stdio) {
            if (fd < -1) {
                throw new IllegalArgumentException("stdio descriptor " + fd);
            }
        }
        int[] sources = stdio.clone();
        try {
            for (int i = 0; i < n; i++) {
                if (sources[i] >= 0 && sources[i] < n) {
                    // Moved above the targets: dup2(1, 0) then dup2(0, 1) would give both ends
                    // the first source, and adddup2(i, i) leaves close-on-exec in older glibc.
                    int source = stdio[i];
                    sources[i] = (int) Libc.call("duplicate", "fd " + source,
                            (f, cs) -> (int) FCNTL_INT.invokeExact(cs, source, F_DUPFD_CLOEXEC, n));
                }
            }
            return posixSpawn(path, argv, env, cwd, sources, newSession);
        } finally {
            for (int i = 0; i < n; i++) {
                if (sources[i] != stdio[i]) {
                    Fds.closeQuietly(sources[i]);
                }
            }
        }
    }

    /** posix_spawn itself, from descriptors that no dup2 of another overwrites. */
    private static int posixSpawn(String path, List<String> argv, List<String> env, String cwd, int[] sources,
            boolean newSession) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return spawn(arena, path, argv, env, cwd, sources, newSession);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static int spawn(Arena arena, String path, List<String> argv, List<String> env, String cwd,
            int[] sources, boolean newSession) throws Throwable {
        MemorySegment cs = Libc.captureState(arena);
        MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
        MemorySegment attr = arena.allocate(SPAWNATTR_SIZE, 16);
        spawnCheck((int) FA_INIT.invokeExact(cs, actions), "posix_spawn_file_actions_init", path);
        try {
            spawnCheck((int) ATTR_INIT.invokeExact(cs, attr), "posix_spawnattr_init", path);
            try {
                MemorySegment devNull = arena.allocateFrom("/dev/null");
                for (int i = 0; i < sources.length; i++) {
                    int rc = sources[i] < 0
                            ? (int) FA_ADDOPEN.invokeExact(cs, actions, i, devNull, OpenFlags.O_RDWR, 0)
                            : (int) FA_ADDDUP2.invokeExact(cs, actions, sources[i], i);
                    spawnCheck(rc, "posix_spawn_file_actions_add", "fd " + i);
                }
                spawnCheck((int) FA_ADDCLOSEFROM.invokeExact(cs, actions, sources.length),
                        "posix_spawn_file_actions_addclosefrom_np", "fd " + sources.length);
                if (cwd != null) {
                    spawnCheck((int) FA_ADDCHDIR.invokeExact(cs, actions, arena.allocateFrom(cwd)),
                            "posix_spawn_file_actions_addchdir_np", cwd);
                }
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8); // zeroed: the empty set
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                all.set(ValueLayout.JAVA_LONG, 0, -1L); // signals 1..64, bit sig-1; sigfillset would leave out 32 and 33
                spawnCheck((int) ATTR_SETSIGMASK.invokeExact(cs, attr, none), "posix_spawnattr_setsigmask", path);
                spawnCheck((int) ATTR_SETSIGDEFAULT.invokeExact(cs, attr, all), "posix_spawnattr_setsigdefault", path);
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                        | (newSession ? POSIX_SPAWN_SETSID : 0));
                spawnCheck((int) ATTR_SETFLAGS.invokeExact(cs, attr, flags), "posix_spawnattr_setflags", path);
                MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                int rc = (int) POSIX_SPAWN.invokeExact(cs, pid, arena.allocateFrom(path), actions, attr,
                        strings(arena, argv), strings(arena, env));
                spawnCheck(rc, "posix_spawn", path);
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                int ignored = (int) ATTR_DESTROY.invokeExact(cs, attr);
            }
        } finally {
            int ignored = (int) FA_DESTROY.invokeExact(cs, actions);
        }
    }

    /**
     * waitpid(2). {@code pid} -1 waits for any child.
     *
     * @return the status, or null when {@link #WNOHANG} is given and no such child has exited yet
     * @throws ErrnoException with errno {@link #ECHILD} when there is no such child (left)
     */
    public static ExitStatus waitpid(int pid, int options) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment status = frame.alloc(4, 4);
            int r = (int) Libc.call(frame, "waitpid", pid == -1 ? "any child" : "process " + pid,
                    Libc.restarting((f, cs) -> (int) WAITPID.invokeExact(cs, pid, status, options)));
            return r == 0 ? null : new ExitStatus(r, status.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /**
     * waitid(P_ALL, 0, WEXITED | WNOWAIT): blocks until some child has exited, and returns its
     * pid while leaving it a zombie, so that its pid cannot be reused until a {@link #waitpid}
     * reaps it. A reaper uses this to reap under its own lock.
     *
     * @throws ErrnoException with errno {@link #ECHILD} when we have no child at all
     */
    public static int awaitZombie() throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment info = frame.alloc(SIGINFO_SIZE, 8);
            Libc.call(frame, "waitid", "any child",
                    Libc.restarting((f, cs) -> (int) WAITID.invokeExact(cs, P_ALL, 0, info, WEXITED | WNOWAIT)));
            return info.get(ValueLayout.JAVA_INT, SI_PID);
        }
    }

    /** kill(2); signal 0 only checks that the process exists (ESRCH if not). */
    public static void kill(int pid, int signal) throws ErrnoException {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal process group or everything: pid " + pid);
        }
        Libc.call("kill", "process " + pid + " with signal " + signal,
                (f, cs) -> (int) KILL.invokeExact(cs, pid, signal));
    }

    /** kill(2) with a negative pid: signals every process in process group {@code pgid}. */
    public static void killGroup(int pgid, int signal) throws ErrnoException {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        Libc.call("kill", "process group " + pgid + " with signal " + signal,
                (f, cs) -> (int) KILL.invokeExact(cs, -pgid, signal));
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to this process
     * rather than to PID 1 (kernel/exit.c, find_new_reaper), so that we can wait for them.
     */
    public static void setChildSubreaper() throws ErrnoException {
        Libc.call("prctl", "PR_SET_CHILD_SUBREAPER",
                (f, cs) -> (int) PRCTL.invokeExact(cs, PR_SET_CHILD_SUBREAPER, 1L));
    }

    /** The posix_spawn family returns an error number rather than setting errno. */
    private static void spawnCheck(int rc, String call, String object) throws ErrnoException {
        if (rc != 0) {
            throw new ErrnoException(call, object, rc);
        }
    }

    /** A NULL-terminated char *[] of NUL-terminated UTF-8 strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void checkNoNul(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("string holds a NUL byte: " + s.replace('\0', '@'));
        }
    }
}
