package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's status words only, and the changes a container's status may go through. */
class StatusTest {
    @Test
    void theWordsAreDockers() {
        for (Status s : Status.values()) {
            assertTrue(List.of("created", "running", "restarting", "exited", "removing").contains(s.word()), s.word());
            if (s != Status.RESTARTING) {
                assertEquals(s, Status.ofWord(s.word()));
            }
        }
        // a restart pending when a daemon stopped: the next daemon's own policy start brings it back
        assertEquals(Status.EXITED, Status.ofWord("restarting"));
    }

    @Test
    void aRecordFromAnEarlierDaemonStillReads() {
        // "starting" was stored while a start was in flight: live restore asks the VM whether it runs
        assertEquals(Status.RUNNING, Status.ofWord("starting"));
        assertEquals(Status.EXITED, Status.ofWord("dead"));
        assertThrows(IllegalArgumentException.class, () -> Status.ofWord("sleeping"));
        assertThrows(IllegalArgumentException.class, () -> Status.ofWord(null));
    }

    @Test
    void theLegalChanges() {
        assertEquals(Status.RUNNING, Status.CREATED.next(Status.RUNNING));
        assertEquals(Status.RUNNING, Status.EXITED.next(Status.RUNNING));
        assertEquals(Status.EXITED, Status.RUNNING.next(Status.EXITED));
        assertEquals(Status.RESTARTING, Status.RUNNING.next(Status.RESTARTING));
        assertEquals(Status.RUNNING, Status.RESTARTING.next(Status.RUNNING));
        assertEquals(Status.EXITED, Status.RESTARTING.next(Status.EXITED));
        for (Status from : List.of(Status.CREATED, Status.RUNNING, Status.RESTARTING, Status.EXITED)) {
            assertEquals(Status.REMOVING, from.next(Status.REMOVING));
        }
    }

    @Test
    void theChangesThatCannotHappen() {
        // a removed container never comes back; one that never ran cannot have exited; no status repeats
        for (Status to : Status.values()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Status.REMOVING.next(to));
            assertTrue(e.getMessage().contains("from removing to " + to.word()), e.getMessage());
            assertThrows(IllegalStateException.class, () -> to.next(to));
        }
        assertThrows(IllegalStateException.class, () -> Status.CREATED.next(Status.EXITED));
        assertThrows(IllegalStateException.class, () -> Status.CREATED.next(Status.RESTARTING));
        assertThrows(IllegalStateException.class, () -> Status.EXITED.next(Status.RESTARTING));
    }

    @Test
    void aRestartPendingIsRunningForTheApiAndGivingItUpEndsTheWaits() throws Exception {
        Container c = ContainerTest.container(false);
        c.status = Status.RUNNING;
        var wait = c.nextExit();
        c.exited(3, null, true);
        assertEquals(3, wait.get(), "the run's exit ends the waits on it");
        assertEquals("restarting", c.state().status());
        assertTrue(c.state().running(), "dockerd's Running while restarting");
        var next = c.nextExit();
        c.restartAbandoned();
        assertEquals(Status.EXITED, c.status);
        assertEquals(3, next.get(), "a wait for the restarted run gets the last code when the restart is given up");
    }

    @Test
    void anExitDuringARemovalLeavesItRemoving() {
        Container c = ContainerTest.container(false);
        c.status = Status.RUNNING;
        c.status = c.status.next(Status.REMOVING);
        c.exited(137, null, false);
        assertEquals(Status.REMOVING, c.status);
        assertEquals("removing", c.state().status());
        assertEquals(137, c.exitCode);
    }
}
