package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docker container prune with its filters: what it removes, what it leaves, and a bad filter refused. */
class DockerPruneIT extends DaemonIT {
    private static Set<String> names() throws Exception {
        return ok("ps", "-a", "--format", "{{.Names}}").out().lines().collect(Collectors.toSet());
    }

    @Test
    void pruneRemovesOnlyStoppedContainersItsFiltersSelect() throws Exception {
        String gone = ok("create", "--name", "p-gone", "--label", "keep=no", "busybox", "true").out().strip();
        ok("create", "--name", "p-kept", "--label", "keep=yes", "busybox", "true");
        ok("run", "--name", "p-exited", "--label", "keep=no", "busybox", "true");
        ok("run", "-d", "--name", "p-running", "--label", "keep=no", "busybox", "sleep", "600");

        String out = ok("container", "prune", "-f", "--filter", "label=keep=no").out();
        assertTrue(out.contains("Deleted Containers:") && out.contains(gone), out);
        assertEquals(Set.of("p-kept", "p-running"), names(), "created and exited ones labelled keep=no went; running stays");

        ok("container", "prune", "-f", "--filter", "until=2000-01-01T00:00:00Z");
        assertEquals(Set.of("p-kept", "p-running"), names(), "nothing was created before 2000");
        ok("container", "prune", "-f", "--filter", "label!=keep=yes");
        assertEquals(Set.of("p-kept", "p-running"), names());
        ok("container", "prune", "-f");
        assertEquals(Set.of("p-running"), names());

        var bad = docker("container", "prune", "-f", "--filter", "nosuch=1");
        assertTrue(bad.code() != 0 && bad.err().contains("nosuch"), bad.toString());
        ok("rm", "-f", "p-running");
    }
}
