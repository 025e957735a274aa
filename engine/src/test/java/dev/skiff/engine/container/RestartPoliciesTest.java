package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.RestartPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPoliciesTest {
    private static final RestartPolicy ALWAYS = new RestartPolicy("always", 0);
    private static final RestartPolicy UNLESS = new RestartPolicy("unless-stopped", 0);
    private static final RestartPolicy FAIL2 = new RestartPolicy("on-failure", 2);

    @Test
    void exitsRestartAsTheirPolicySays() {
        assertFalse(RestartPolicies.afterExit(RestartPolicy.NO, 1, 0, false));
        assertTrue(RestartPolicies.afterExit(ALWAYS, 0, 50, false));
        assertTrue(RestartPolicies.afterExit(UNLESS, 0, 0, false));
        assertFalse(RestartPolicies.afterExit(ALWAYS, 1, 0, true), "a user's stop wins over any policy");
        assertTrue(RestartPolicies.afterExit(FAIL2, 3, 1, false));
        assertFalse(RestartPolicies.afterExit(FAIL2, 3, 2, false), "on-failure:2 stops after two restarts");
        assertFalse(RestartPolicies.afterExit(FAIL2, 0, 0, false), "a clean exit is no failure");
        assertTrue(RestartPolicies.afterExit(new RestartPolicy("on-failure", 0), 1, 1000, false), "0 = no limit");
    }

    @Test
    void aDaemonStartBringsBackWhatDockerBringsBack() {
        assertTrue(RestartPolicies.atDaemonStart(ALWAYS, 0, 0, true, true), "always: even after a user's stop");
        assertFalse(RestartPolicies.atDaemonStart(UNLESS, 0, 0, true, true));
        assertTrue(RestartPolicies.atDaemonStart(UNLESS, 0, 0, false, true));
        assertFalse(RestartPolicies.atDaemonStart(ALWAYS, 0, 0, false, false), "never started: stays created");
        assertTrue(RestartPolicies.atDaemonStart(FAIL2, 1, 0, false, true));
        assertFalse(RestartPolicies.atDaemonStart(RestartPolicy.NO, 1, 0, false, true));
    }

    @Test
    void theWaitDoublesUpToAMinuteAndResetsAfterAHealthyRun() {
        Duration d = RestartPolicies.nextDelay(Duration.ZERO, Duration.ofSeconds(1));
        assertEquals(RestartPolicies.FIRST_DELAY, d, "the first restart waits 100 ms, as moby's");
        d = RestartPolicies.nextDelay(d, Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(200), d);
        for (int i = 0; i < 20; i++) {
            d = RestartPolicies.nextDelay(d, Duration.ZERO);
        }
        assertEquals(RestartPolicies.MAX_DELAY, d);
        assertEquals(RestartPolicies.FIRST_DELAY, RestartPolicies.nextDelay(d, Duration.ofSeconds(30)));
    }
}
