package dev.skiff.engine;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.ExecDetail;
import dev.skiff.engine.api.Backend.ExecSpec;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.Exec;
import dev.skiff.engine.container.Frame;
import dev.skiff.engine.container.ProcessOutput;
import dev.skiff.engine.placement.UtilityVm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * docker exec over the engine's containers: an exec is made for a running container, started once in
 * its VM through the agent (with the container's env and user unless the exec says otherwise), and
 * inspected for its exit code once its output has ended.
 */
final class ExecApi {
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();
    private final Map<String, UtilityVm> vmOf;
    private final Map<String, Container> containers;
    private final Supplier<String> ids;

    ExecApi(Map<String, Container> containers, Map<String, UtilityVm> vmOf, Supplier<String> ids) {
        this.containers = containers;
        this.vmOf = vmOf;
        this.ids = ids;
    }

    String create(Container c, ExecSpec spec) throws EngineException {
        if (!c.running()) {
            throw EngineException.conflict("Container " + c.id + " is not running");
        }
        ProcessApi.checkNotPaused(c, "exec");
        if (spec.cmd().isEmpty()) {
            throw EngineException.invalid("No exec command specified");
        }
        Exec e = new Exec(ids.get(), c.id, spec);
        c.execs.put(e.id, e);
        execs.put(e.id, e);
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
        Container c = containers.get(e.containerId);
        UtilityVm vm = vmOf.get(e.containerId);
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
        for (String kv : c.env) {
            env.put(kv.split("=", 2)[0], kv);
        }
        for (String kv : e.spec.env()) {
            env.put(kv.split("=", 2)[0], kv);
        }
        int[] user = Engine.parseUser(Engine.nonEmpty(e.spec.user(), c.uid + ":" + c.gid));
        OciSpec.Process process = new OciSpec.Process(e.spec.cmd(), List.copyOf(env.values()),
                Engine.nonEmpty(e.spec.workingDir(), c.cwd), e.spec.tty(), user[0], user[1]);
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
                ProcessOutput.drain(readers, e.output);
                e.exit.complete(code);
            });
        } catch (AgentException ex) {
            e.exit.complete(126);
            e.output.end();
            throw new EngineException(EngineException.Kind.INTERNAL, "exec in " + c.id.substring(0, 12) + ": "
                    + ex.getMessage(), ex);
        }
        if (detach) {
            e.output.unsubscribe(q);
            return null;
        }
        return new HubAttachment(e.output, q, e.spec.tty(), e.spec.attachStdin() ? e.stdin.clientSide() : null,
                e.spec.attachStdout(), e.spec.attachStderr());
    }

    ExecDetail inspect(String execId) throws EngineException {
        Exec e = exec(execId);
        boolean running = e.started && !e.exit.isDone();
        return new ExecDetail(e.id, e.containerId, running, e.exit.isDone() ? e.exit.join() : null, e.pid, e.spec);
    }

    void resize(String execId, int height, int width) throws EngineException {
        Exec e = exec(execId);
        UtilityVm vm = vmOf.get(e.containerId);
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
