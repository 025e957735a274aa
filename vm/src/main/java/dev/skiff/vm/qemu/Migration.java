package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A VM template's device state, saved and loaded through QEMU's migration to and from a file. With
 * the x-ignore-shared capability the guest's RAM, which is a shared file, is left out of the stream
 * (the template keeps that file), so the state is a few hundred KiB and takes milliseconds.
 */
final class Migration {
    private Migration() {}

    /** How long saving or loading may take: a few hundred KiB of device state, even under TCG. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Pauses the VM and writes its device state to {@code state}; the VM stays paused. */
    static void save(QmpClient qmp, Path state) throws IOException {
        qmp.execute("stop", null, QemuDriver.QMP_TIMEOUT);
        ignoreShared(qmp);
        qmp.execute("migrate", Map.of("uri", "exec:cat > " + quoted(state)), QemuDriver.QMP_TIMEOUT);
        await(qmp, "saving the template's state to " + state);
    }

    /** Loads {@code state} into a QEMU started with {@code -incoming defer}, and runs the VM. */
    static void load(QmpClient qmp, Path state) throws IOException {
        ignoreShared(qmp);
        qmp.execute("migrate-incoming", Map.of("uri", "exec:cat " + quoted(state)), QemuDriver.QMP_TIMEOUT);
        await(qmp, "loading the template's state from " + state);
        JsonNode status = qmp.execute("query-status", null, QemuDriver.QMP_TIMEOUT);
        if (!status.path("running").asBoolean()) {
            qmp.execute("cont", null, QemuDriver.QMP_TIMEOUT);
        }
    }

    private static void ignoreShared(QmpClient qmp) throws IOException {
        qmp.execute("migrate-set-capabilities",
                Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true))),
                QemuDriver.QMP_TIMEOUT);
    }

    /** Polls query-migrate until it completes; a failure says QEMU's words. */
    private static void await(QmpClient qmp, String what) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long pause = 2;
        while (true) {
            JsonNode r = qmp.execute("query-migrate", null, QemuDriver.QMP_TIMEOUT);
            String status = r.path("status").asText("");
            switch (status) {
                case "completed" -> {
                    return;
                }
                case "failed", "cancelled" -> throw new VmException(what + " failed: "
                        + r.path("error-desc").asText(status));
                default -> { }
            }
            if (System.nanoTime() > deadline) {
                throw new VmException(what + " did not end within " + TIMEOUT.toSeconds() + " s (" + status + ")");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted " + what, e);
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /** A path for QEMU's exec: URI, which /bin/sh runs: in single quotes, which may not occur in it. */
    static String quoted(Path p) throws VmException {
        String s = p.toAbsolutePath().toString();
        if (s.indexOf('\'') >= 0 || s.chars().anyMatch(c -> c < 0x20)) {
            throw new VmException("a template file's path may not hold a quote or a control character: " + s);
        }
        return "'" + s + "'";
    }
}
