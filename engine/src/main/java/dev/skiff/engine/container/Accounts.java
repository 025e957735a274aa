package dev.skiff.engine.container;

import dev.skiff.engine.api.EngineException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image's /etc/passwd and /etc/group, for a user given by name ({@code USER jenkins},
 * {@code docker run -u postgres:staff}). Resolution follows runc's {@code GetExecUser}, which moby
 * uses: a name must be in passwd, a number need not be; the user's primary group comes from its
 * passwd entry unless a group is given; without a group, the groups that list the user by name are
 * its supplementary ones. Lines that do not parse are skipped, as runc skips them: the files are
 * the image's, and only the fields named here are trusted, each checked.
 */
public record Accounts(List<User> users, List<Group> groups) {
    /** An image with neither file. */
    public static final Accounts NONE = new Accounts(List.of(), List.of());

    /** The most each file may hold: larger ones are refused rather than read into the daemon. */
    public static final int MAX_FILE = 1 << 20;

    public record User(String name, int uid, int gid) {}

    public record Group(String name, int gid, List<String> members) {}

    /** A process's credentials: uid, primary gid and supplementary gids. */
    public record ExecUser(int uid, int gid, List<Integer> additionalGids) {
        public ExecUser {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    public Accounts {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    public static Accounts parse(String passwd, String group) {
        List<User> users = new ArrayList<>();
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", -1);
            Integer uid = f.length >= 4 ? id(f[2]) : null;
            Integer gid = f.length >= 4 ? id(f[3]) : null;
            if (uid != null && gid != null && !f[0].isEmpty()) {
                users.add(new User(f[0], uid, gid));
            }
        }
        List<Group> groups = new ArrayList<>();
        for (String line : group.split("\n")) {
            String[] f = line.split(":", -1);
            Integer gid = f.length >= 3 ? id(f[2]) : null;
            if (gid != null && !f[0].isEmpty()) {
                List<String> members = f.length >= 4 && !f[3].isBlank() ? List.of(f[3].strip().split(",")) : List.of();
                groups.add(new Group(f[0], gid, members));
            }
        }
        return new Accounts(users, groups);
    }

    /**
     * Whether resolving {@code spec} needs the image's files: it names a user or group, or it is a uid
     * other than 0 without a group, whose gid and supplementary groups come from the image's passwd and
     * group files (runc's rule: the passwd entry's group, else 0). Root, and {@code uid:gid} in numbers,
     * need none.
     */
    public static boolean needsFiles(String spec) {
        String[] parts = spec.split(":", 2);
        for (String part : parts) {
            if (id(part) == null && !part.equals("root")) {
                return true;
            }
        }
        return parts.length == 1 && !parts[0].equals("root") && id(parts[0]) != 0;
    }

    /** {@code user[:group]}, each a name or a number; refused with runc's words when a name is unknown. */
    public ExecUser resolve(String spec) throws EngineException {
        String[] parts = spec.split(":", 2);
        String userArg = parts[0];
        String groupArg = parts.length > 1 ? parts[1] : null;
        if (userArg.isEmpty() || (groupArg != null && groupArg.isEmpty())) {
            throw EngineException.invalid("invalid user \"" + spec + "\"");
        }
        Integer uidArg = id(userArg);
        User user = users.stream()
                .filter(u -> u.name().equals(userArg) || (uidArg != null && u.uid() == uidArg)).findFirst().orElse(null);
        if (user == null && uidArg == null) {
            throw EngineException.invalid("unable to find user " + userArg + ": no matching entries in passwd file");
        }
        int uid = user != null ? user.uid() : uidArg;
        int gid = user != null ? user.gid() : 0;
        List<Integer> additional = new ArrayList<>();
        if (groupArg != null) {
            Integer gidArg = id(groupArg);
            Group g = groups.stream()
                    .filter(x -> x.name().equals(groupArg) || (gidArg != null && x.gid() == gidArg)).findFirst().orElse(null);
            if (g == null && gidArg == null) {
                throw EngineException.invalid("unable to find group " + groupArg + ": no matching entries in group file");
            }
            gid = g != null ? g.gid() : gidArg;
        } else if (user != null) {
            for (Group g : groups) {
                if (g.members().contains(user.name()) && !additional.contains(g.gid())) {
                    additional.add(g.gid());
                }
            }
        }
        return new ExecUser(uid, gid, additional);
    }

    /** A uid or gid as passwd writes it: a decimal in 0 .. 2^31-1, else null. */
    private static Integer id(String s) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long v = Long.parseLong(s);
        return v <= Integer.MAX_VALUE ? (int) v : null;
    }
}
