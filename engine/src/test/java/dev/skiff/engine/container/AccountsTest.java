package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Users by name, as runc's GetExecUser (which moby uses) resolves them against an image's files. */
class AccountsTest {
    private static final Accounts DEBIAN = Accounts.parse("""
            root:x:0:0:root:/root:/bin/bash
            jenkins:x:1000:1000::/var/jenkins_home:/bin/bash
            postgres:x:105:111:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash
            broken line
            bad:x:notanumber:1::/:/bin/sh
            """, """
            root:x:0:
            wheel:x:10:root
            staff:x:50:jenkins,postgres
            jenkins:x:1000:
            ssl-cert:x:111:postgres
            """);

    @Test
    void aNameGivesItsIdsAndTheGroupsListingIt() throws EngineException {
        assertEquals(new Accounts.ExecUser(1000, 1000, List.of(50)), DEBIAN.resolve("jenkins"));
        assertEquals(new Accounts.ExecUser(105, 111, List.of(50, 111)), DEBIAN.resolve("postgres"));
        assertEquals(new Accounts.ExecUser(0, 0, List.of(10)), DEBIAN.resolve("root"));
        assertEquals(new Accounts.ExecUser(1000, 1000, List.of(50)), DEBIAN.resolve("1000"), "a uid in passwd is its user");
    }

    @Test
    void aGivenGroupReplacesThePrimaryOneAndTheSupplementaryOnes() throws EngineException {
        assertEquals(new Accounts.ExecUser(1000, 50, List.of()), DEBIAN.resolve("jenkins:staff"));
        assertEquals(new Accounts.ExecUser(1000, 7, List.of()), DEBIAN.resolve("jenkins:7"));
        assertEquals(new Accounts.ExecUser(4242, 0, List.of()), DEBIAN.resolve("4242"), "a uid not in passwd: group 0");
    }

    @Test
    void unknownNamesAreRefusedInRuncsWords() {
        assertEquals("unable to find user ghost: no matching entries in passwd file",
                assertThrows(EngineException.class, () -> DEBIAN.resolve("ghost")).getMessage());
        assertEquals("unable to find group ghosts: no matching entries in group file",
                assertThrows(EngineException.class, () -> DEBIAN.resolve("jenkins:ghosts")).getMessage());
        assertThrows(EngineException.class, () -> DEBIAN.resolve("bad"), "a line that does not parse is no user");
        assertThrows(EngineException.class, () -> Accounts.NONE.resolve("jenkins"));
        assertThrows(EngineException.class, () -> DEBIAN.resolve(":staff"));
    }

    @Test
    void namesAndAUidWithoutGroupNeedTheImagesFiles() {
        assertFalse(Accounts.needsFiles("0"));
        assertFalse(Accounts.needsFiles("1000:1000"));
        assertFalse(Accounts.needsFiles("root"));
        assertFalse(Accounts.needsFiles("0:7"));
        assertTrue(Accounts.needsFiles("1000"), "the gid comes from passwd");
        assertTrue(Accounts.needsFiles("jenkins"));
        assertTrue(Accounts.needsFiles("1000:staff"));
    }
}
