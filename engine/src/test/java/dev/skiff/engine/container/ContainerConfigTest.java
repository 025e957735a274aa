package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Healthcheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker create's resolution of a request against its image's config, as it is today (deviations from dockerd named). */
class ContainerConfigTest {
    private static final ImageConfig IMAGE = new ImageConfig(List.of("PATH=/image/bin", "LANG=C", "HOME=/root"),
            List.of("/entry"), List.of("serve", "--port=80"), "/srv", "1000:1000", Map.of("from", "image"), List.of());
    private static final ImageConfig BARE = new ImageConfig(null, null, null, "", "", Map.of(), List.of());

    private static CreateSpec request(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
                                      String user) {
        return new CreateSpec("img", cmd, entrypoint, env, workingDir, user, "", false, false, false,
                Map.of("from", "request"), List.of(), false, "", null, null, null, null, null);
    }

    private static CreateSpec request(List<String> cmd, List<String> entrypoint) {
        return request(cmd, entrypoint, List.of(), "", "");
    }

    @Test
    void theImagesEntrypointAndCmdWhenTheRequestHasNeither() throws EngineException {
        assertEquals(List.of("/entry", "serve", "--port=80"), ContainerConfig.resolve(request(List.of(), null), IMAGE).args());
    }

    @Test
    void theRequestsCmdGoesAfterTheImagesEntrypoint() throws EngineException {
        assertEquals(List.of("/entry", "debug"), ContainerConfig.resolve(request(List.of("debug"), null), IMAGE).args());
    }

    @Test
    void theRequestsEntrypointClearsTheImagesCmd() throws EngineException {
        assertEquals(List.of("/bin/sh"), ContainerConfig.resolve(request(List.of(), List.of("/bin/sh")), IMAGE).args());
        assertEquals(List.of("/bin/sh", "-c", "true"),
                ContainerConfig.resolve(request(List.of("-c", "true"), List.of("/bin/sh")), IMAGE).args());
    }

    @Test
    void anEmptyEntrypointIsNoneAtAll() throws EngineException {
        // --entrypoint "" (the API layer makes [""] an empty list): the image's entrypoint and CMD both go
        assertEquals(List.of("true"), ContainerConfig.resolve(request(List.of("true"), List.of()), IMAGE).args());
        EngineException e = assertThrows(EngineException.class,
                () -> ContainerConfig.resolve(request(List.of(), List.of()), IMAGE));
        assertEquals("no command specified", e.getMessage());
    }

    @Test
    void noCommandAnywhereIsRefused() {
        EngineException e = assertThrows(EngineException.class,
                () -> ContainerConfig.resolve(request(List.of(), null), BARE));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("no command specified", e.getMessage());
    }

    @Test
    void theRequestsEnvReplacesTheImagesByNameInTheImagesOrder() throws EngineException {
        ContainerConfig c = ContainerConfig.resolve(request(List.of(), null, List.of("NEW=1", "LANG=fr", "EMPTY"), "", ""),
                IMAGE);
        // moby would give NEW=1 LANG=fr EMPTY PATH=/image/bin HOME=/root: the request's first
        assertEquals(List.of("PATH=/image/bin", "LANG=fr", "HOME=/root", "NEW=1", "EMPTY"), c.env());
    }

    @Test
    void aNameGivenTwiceKeepsTheLastValue() throws EngineException {
        ContainerConfig c = ContainerConfig.resolve(request(List.of("x"), null, List.of("A=1", "A=2"), "", ""), BARE);
        assertEquals(List.of("A=2", OciSpec.DEFAULT_PATH), c.env()); // moby keeps both
    }

    @Test
    void pathIsRuncsDefaultWhenNeitherSetsIt() throws EngineException {
        assertEquals(List.of(OciSpec.DEFAULT_PATH), ContainerConfig.resolve(request(List.of("x"), null), BARE).env());
        assertEquals(List.of("PATH=/mine"), ContainerConfig.resolve(
                request(List.of("x"), null, List.of("PATH=/mine"), "", ""), BARE).env());
    }

    @Test
    void workingDirIsTheRequestsElseTheImagesElseRoot() throws EngineException {
        assertEquals("/work", ContainerConfig.resolve(request(List.of(), null, List.of(), "/work", ""), IMAGE).cwd());
        assertEquals("/srv", ContainerConfig.resolve(request(List.of(), null), IMAGE).cwd());
        assertEquals("/", ContainerConfig.resolve(request(List.of("x"), null), BARE).cwd());
    }

    @Test
    void userIsTheRequestsElseTheImagesElseRoot() throws EngineException {
        ContainerConfig mine = ContainerConfig.resolve(request(List.of(), null, List.of(), "", "33:44"), IMAGE);
        assertEquals(33, mine.uid());
        assertEquals(44, mine.gid());
        ContainerConfig image = ContainerConfig.resolve(request(List.of(), null), IMAGE);
        assertEquals(1000, image.uid());
        assertEquals(1000, image.gid());
        ContainerConfig none = ContainerConfig.resolve(request(List.of("x"), null), BARE);
        assertEquals(0, none.uid());
        assertEquals(0, none.gid());
    }

    @Test
    void parseUserTakesNumbersAndRoot() throws EngineException {
        assertArrayEquals(new int[] {0, 0}, ContainerConfig.parseUser("root"));
        assertArrayEquals(new int[] {0, 0}, ContainerConfig.parseUser("root:root"));
        assertArrayEquals(new int[] {5, 0}, ContainerConfig.parseUser("5:root"));
        assertArrayEquals(new int[] {0, 7}, ContainerConfig.parseUser("0:7"));
        // no group and no passwd entry to take it from: group 0, as runc's
        assertArrayEquals(new int[] {1000, 0}, ContainerConfig.parseUser("1000"));
    }

    @Test
    void processesGetHostnameAndWithATtyTermUnlessTheContainerSetsThem() {
        assertEquals(List.of("PATH=/bin", "HOSTNAME=abc"), ContainerConfig.processEnv(List.of("PATH=/bin"), "abc", false));
        assertEquals(List.of("HOSTNAME=mine", "TERM=xterm"), ContainerConfig.processEnv(List.of("HOSTNAME=mine"), "abc", true));
        assertEquals(List.of("TERM=dumb", "HOSTNAME=abc"), ContainerConfig.processEnv(List.of("TERM=dumb"), "abc", true));
    }

    @Test
    void parseUserTakesNumbersOnly() {
        for (String user : List.of("nobody", "1000:staff", "1000:", "")) {
            EngineException e = assertThrows(EngineException.class, () -> ContainerConfig.parseUser(user), user);
            assertEquals(EngineException.Kind.INVALID, e.kind());
            assertEquals("invalid user \"" + user + "\"", e.getMessage());
        }
    }

    @Test
    void aNamedUserIsLookedUpInTheImagesAccountsOnlyWhenNamed() throws EngineException {
        Accounts www = Accounts.parse("www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n", "www-data:x:33:\n");
        ContainerConfig c = ContainerConfig.resolve(request(List.of(), null, List.of(), "", "www-data"), IMAGE, () -> www);
        assertEquals(List.of(33, 33), List.of(c.uid(), c.gid()));
        assertThrows(EngineException.class, () -> ContainerConfig.resolve(
                request(List.of(), null, List.of(), "", "www-data"), IMAGE), "an image without the user");
        ContainerConfig numeric = ContainerConfig.resolve(request(List.of(), null, List.of(), "", "33:33"), IMAGE, () -> {
            throw new AssertionError("uid:gid in numbers needs no lookup");
        });
        assertEquals(List.of(33, 33), List.of(numeric.uid(), numeric.gid()));
        // a uid alone takes its group from the passwd entry (runc's rule), so -u 33 is www-data's group
        ContainerConfig uidOnly = ContainerConfig.resolve(request(List.of(), null, List.of(), "", "33"), IMAGE, () -> www);
        assertEquals(List.of(33, 33), List.of(uidOnly.uid(), uidOnly.gid()));
        ContainerConfig unknown = ContainerConfig.resolve(request(List.of(), null, List.of(), "", "4242"), IMAGE, () -> www);
        assertEquals(List.of(4242, 0), List.of(unknown.uid(), unknown.gid()), "a uid not in passwd: group 0");
    }

    @Test
    void labelsAreTheRequestsOnly() throws EngineException {
        // dockerd adds the image's labels the request does not set; here they stay the image's
        assertEquals(Map.of("from", "request"), ContainerConfig.resolve(request(List.of(), null), IMAGE).spec().labels());
    }

    @Test
    void theImagesHealthCheckFillsWhatTheRequestLeavesOut() throws EngineException {
        Healthcheck image = new Healthcheck(List.of("CMD", "probe"), 30, 5, 0, 0, 3);
        Healthcheck mine = new Healthcheck(List.of(), 10, 0, 0, 0, 0);
        ImageConfig withCheck = new ImageConfig(null, null, List.of("x"), "", "", Map.of(), List.of(), List.of(), image);
        CreateSpec r = request(List.of(), null).withHealthcheck(mine);
        assertEquals(new Healthcheck(List.of("CMD", "probe"), 10, 5, 0, 0, 3),
                ContainerConfig.resolve(r, withCheck).spec().healthcheck());
        assertNull(ContainerConfig.resolve(request(List.of(), null), IMAGE).spec().healthcheck());
    }

    @Test
    void theRestOfTheRequestIsKeptAsItCame() throws EngineException {
        CreateSpec r = request(List.of("x"), null, List.of("A=1"), "/w", "1");
        ContainerConfig c = ContainerConfig.resolve(r, BARE);
        assertEquals(r, c.spec()); // no health check on either side: the very request
    }
}
