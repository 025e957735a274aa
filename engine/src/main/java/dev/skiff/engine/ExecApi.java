package dev.skiff.engine;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.ExecDetail;
import dev.skiff.engine.api.Backend.ExecSpec;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Accounts;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.ContainerConfig;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.Exec;
import dev.skiff.engine.container.Frame;
import dev.skiff.engine.container.HealthMonitor;
import dev.skiff.engine.container.HostRuntime;
import dev.skiff.engine.container.ProcessOutput;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.ttrpc.Code;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * docker exec over the engine's containers: an exec is made for a running container, started once in
 * its VM through the agent (with the container's env and user unless the exec says otherwise), and
 * inspected for its exit code once its output has ended.
 */
final class ExecApi {
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();
    private final ContainerTable table;
    /**
     * Ended execs kept for inspect (docker exec reads the exit code after the output ends), oldest
     * dropped first; all of a container's go with it. Moby keeps them until the container goes, so a
     * health check every few seconds would grow the daemon without bound.
     */
    static final int KEPT_ENDED = 1024;
    private final java.util.ArrayDeque<String> ended = new java.util.ArrayDeque<>(); // guarded by itself
    /** How long a killed probe may take to end. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** An image's accounts, by image id: for {@code docker exec -u NAME}. */
    interface ImageAccounts {
        Accounts of(String imageId) throws EngineException;
    }

    private final ImageAccounts accounts;

    ExecApi(ContainerTable table, ImageAccounts accounts) {
        this.table = table;
        this.accounts = accounts;
    }

    String create(Container c, ExecSpec spec) throws EngineException {
        if (spec.cmd().isEmpty()) {
            throw EngineException.invalid("No exec command specified");
        }
        Exec e = new Exec(table.newId(), c.id, spec);
        // Checked and recorded under the container's monitor, under which its status changes: a
        // removal forgets a container's execs only once it has stopped running, so an exec made
        // as a docker rm -f runs is either refused here or made in time to be forgotten with it.
        // (Checked and then recorded apart, LifecycleRaceTest found one left behind.)
        synchronized (c) {
            if (!c.running()) {
                throw EngineException.conflict("Container " + c.id + " is not running");
            }
            ProcessApi.checkNotPaused(c, "exec");
            c.execs.put(e.id, e);
            execs.put(e.id, e);
        }
        return e.id;
    }

    private Exec exec(String id) throws EngineException {
        Exec e = execs.get(id);
        if (e == null) {
            throw EngineException.notFound("No such exec instance: " + id);
        }
        return e;
    }

    Attachment start(String execId, boolean detach) throws EngineException {
        Exec e = exec(execId);
        Container c = table.get(e.containerId);
        UtilityVm vm = table.vm(e.containerId);
        if (c == null || vm == null || !c.running()) {
            throw EngineException.conflict("Container " + e.containerId + " is not running");
        }
        ProcessApi.checkNotPaused(c, "exec");
        synchronized (e) {
            if (e.started) {
                throw EngineException.conflict("Error: Exec command " + execId + " has already run");
            }
            e.started = true;
        }
        BlockingQueue<Frame> q = e.output.subscribeNextRun();
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : ContainerConfig.processEnv(c.env, c.hostname, e.spec.tty())) {
            env.put(kv.split("=", 2)[0], kv);
        }
        for (String kv : e.spec.env()) {
            env.put(kv.split("=", 2)[0], kv);
        }
        // the exec's own user (moby resolves it as the container's), else the container's with its groups
        Accounts.ExecUser user = e.spec.user() == null || e.spec.user().isEmpty()
                ? new Accounts.ExecUser(c.uid, c.gid, c.groups)
                : ContainerConfig.user(e.spec.user(), () -> accounts.of(c.imageId));
        OciSpec.Process process = HostRuntime.limits(new OciSpec.Process(e.spec.cmd(), List.copyOf(env.values()),
                ContainerConfig.nonEmpty(e.spec.workingDir(), c.cwd), e.spec.tty(), user.uid(), user.gid()),
                c.spec.hostOptionsOrDefault(), user.additionalGids());
        AgentClient agent = vm.agent();
        try {
            e.pid = agent.exec(c.id, e.id, process.toJson(), AgentClient.stdio(e.spec.tty(), e.spec.attachStdin()));
            List<Thread> readers = ProcessOutput.read(agent, c.id, e.id, e.output, e.spec.tty());
            if (e.spec.attachStdin()) {
                e.stdin.connect(agent.openInput(c.id, e.id), "exec-" + e.id.substring(0, 12));
            }
            Thread.ofVirtual().start(() -> {
                int code;
                try {
                    code = agent.waitProcess(c.id, e.id, null).getExitCode();
                } catch (AgentException ex) {
                    code = 255;
                }
                ProcessOutput.awaitReaders(readers);
                e.exit.complete(code); // before the end of the output, after which clients inspect
                e.output.end();
                ended(c, e);
            });
        } catch (AgentException ex) {
            e.exit.complete(126);
            e.output.end();
            ended(c, e);
            if (ex.code() == Code.FAILED_PRECONDITION || ex.code() == Code.NOT_FOUND) {
                // the container stopped or went between the engine's running check and the guest's
                // exec (a stop or rm -f racing this exec): dockerd's answer to an exec in a stopped container
                throw new EngineException(EngineException.Kind.CONFLICT, "Container " + c.id + " is not running", ex);
            }
            throw AgentErrors.map("OCI runtime exec failed", ex);
        }
        if (detach) {
            e.output.unsubscribe(q);
            return null;
        }
        return new HubAttachment(e.output, q, e.spec.tty(), e.spec.attachStdin() ? e.stdin.clientSide() : null,
                e.spec.attachStdout(), e.spec.attachStderr());
    }

    /**
     * A health probe (moby's {@code cmdProbe}): an exec as the container's user, in its working directory, with its
     * environment, without stdin or a TTY; killed when it runs past {@code timeout}. It is forgotten once it ends,
     * so probes do not pile up in the container's ExecIDs.
     */
    HealthMonitor.Outcome probe(Container c, List<String> command, Duration timeout)
            throws EngineException, InterruptedException {
        String id = create(c, new ExecSpec(command, List.of(), "", "", false, false, true, true));
        Exec e = execs.get(id);
        try {
            BlockingQueue<Frame> q = e.output.subscribeNextRun();
            start(id, true);
            boolean timedOut = false;
            try {
                e.exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException late) {
                timedOut = true;
                kill(c, e);
            } catch (ExecutionException never) {
                // the exit is only ever completed with a code
            }
            HealthMonitor.ProbeOutput out = new HealthMonitor.ProbeOutput();
            for (Frame f = q.poll(); f != null; f = q.poll()) {
                out.write(f.data());
            }
            return new HealthMonitor.Outcome(timedOut ? -1 : e.exit.getNow(-1), out.text(), timedOut);
        } finally {
            c.execs.remove(id);
            execs.remove(id);
        }
    }

    /** An exec has ended: off its container's ExecIDs (which lists running execs, as moby's does), kept a while for inspect. */
    private void ended(Container c, Exec e) {
        c.execs.remove(e.id);
        synchronized (ended) {
            ended.add(e.id);
            while (ended.size() > KEPT_ENDED) {
                execs.remove(ended.poll());
            }
        }
    }

    /** Forgets every exec of a removed container. */
    void forget(String containerId) {
        execs.values().removeIf(e -> e.containerId.equals(containerId));
    }

    /** Exec records held now (tests). */
    int size() {
        return execs.size();
    }

    /** SIGKILL to a timed-out probe, then a bounded wait for its end (dying probes must not pile up). */
    private void kill(Container c, Exec e) throws InterruptedException {
        UtilityVm vm = table.vm(c.id);
        try {
            if (vm != null) {
                vm.agent().signal(c.id, e.id, 9, false);
            }
            e.exit.get(KILL_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (AgentException | ExecutionException | TimeoutException ex) {
            // gone already, or its container is going: the probe counts as timed out either way
        }
    }

    ExecDetail inspect(String execId) throws EngineException {
        Exec e = exec(execId);
        boolean running = e.started && !e.exit.isDone();
        return new ExecDetail(e.id, e.containerId, running, e.exit.isDone() ? e.exit.join() : null, e.pid, e.spec);
    }

    void resize(String execId, int height, int width) throws EngineException {
        Exec e = exec(execId);
        UtilityVm vm = table.vm(e.containerId);
        if (vm == null || !e.spec.tty() || !e.started || height <= 0 || width <= 0) {
            return;
        }
        try {
            vm.agent().resizeTty(e.containerId, e.id, height, width);
        } catch (AgentException ex) {
            // exited meanwhile
        }
    }
}
