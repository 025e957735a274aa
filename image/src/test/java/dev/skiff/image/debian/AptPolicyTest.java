package dev.skiff.image.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One {@code apt-cache policy} run answers for every package: its output read section by section. */
class AptPolicyTest {
    @Test
    void eachSectionGivesItsPackagesCandidateAndUnknownOrUninstallablePackagesGiveNone() {
        List<String> out = List.of(
                "busybox-static:",
                "  Installed: 1:1.35.0-4+deb12u1+b1",
                "  Candidate: 1:1.35.0-4+deb12u1+b1",
                "  Version table:",
                " *** 1:1.35.0-4+deb12u1+b1 500",
                "        500 http://deb.debian.org/debian bookworm/main amd64 Packages",
                "        100 /var/lib/dpkg/status",
                "N: Unable to locate package no-such-package",
                "virtual-only:",
                "  Installed: (none)",
                "  Candidate: (none)",
                "  Version table:",
                "runc:",
                "  Installed: (none)",
                "  Candidate: 1.1.5+ds1-1+deb12u1",
                "  Version table:",
                "     1.1.5+ds1-1+deb12u1 500");
        assertEquals(Map.of("busybox-static", "1:1.35.0-4+deb12u1+b1", "runc", "1.1.5+ds1-1+deb12u1"),
                Apt.parsePolicy(out));
    }
}
