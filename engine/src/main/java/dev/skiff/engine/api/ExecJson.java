package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.ExecDetail;
import dev.skiff.engine.api.Backend.ExecSpec;
import java.util.List;

/** Docker's {@code ExecConfig} (exec create) to an {@link ExecSpec}, and {@code ExecInspectResponse} back. */
final class ExecJson {
    private ExecJson() {
    }

    static ExecSpec spec(JsonNode body) throws EngineException {
        List<String> cmd = Json.strings(body, "Cmd");
        if (cmd == null || cmd.isEmpty()) {
            throw EngineException.invalid("No exec command specified");
        }
        List<String> env = Json.strings(body, "Env");
        return new ExecSpec(cmd, env == null ? List.of() : env, Json.text(body, "WorkingDir"),
                Json.text(body, "User"), Json.bool(body, "Tty"), Json.bool(body, "AttachStdin"),
                Json.bool(body, "AttachStdout"), Json.bool(body, "AttachStderr"));
    }

    static ObjectNode inspect(ExecDetail detail) {
        ExecSpec spec = detail.spec();
        ObjectNode json = Json.object()
                .put("CanRemove", false)
                .put("ContainerID", detail.containerId())
                .put("DetachKeys", "")
                .put("ID", detail.id())
                .put("Running", detail.running());
        if (detail.exitCode() == null) {
            json.putNull("ExitCode");
        } else {
            json.put("ExitCode", detail.exitCode());
        }
        ObjectNode process = json.putObject("ProcessConfig")
                .put("tty", spec.tty())
                .put("entrypoint", spec.cmd().isEmpty() ? "" : spec.cmd().getFirst());
        process.set("arguments", Json.array(spec.cmd().isEmpty() ? List.of() : spec.cmd().subList(1, spec.cmd().size())));
        process.put("privileged", false).put("user", spec.user() == null ? "" : spec.user());
        return json.put("OpenStdin", spec.attachStdin())
                .put("OpenStderr", spec.attachStderr())
                .put("OpenStdout", spec.attachStdout())
                .put("Pid", detail.pid());
    }
}
