package dev.skiff.engine.container;

import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Healthcheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What docker create keeps of a request and its image's config: the request (with the image's
 * health check merged in) and the process it resolves to. Pure: it reads no files and asks no VM,
 * so that its rules, after moby's {@code daemon/commit.go merge}, can be tested on their own.
 *
 * <ul>
 *   <li>the request's entrypoint, else the image's; the request's cmd, else none when the request
 *       gave an entrypoint (docker run --entrypoint clears the image's CMD), else the image's;
 *   <li>the image's env, each variable replaced by the request's of the same name, then the
 *       request's others, and PATH as runc's default when neither set it;
 *   <li>the request's working dir, else the image's, else "/";
 *   <li>the request's user, else the image's, else root: a name, or a uid without a group, looked up
 *       in the image's /etc/passwd and /etc/group ({@link Accounts}: the entry's group, else 0, and
 *       supplementary groups by membership); root and {@code uid:gid} in numbers as they are.
 * </ul>
 *
 * <p>Where it differs from dockerd, so far: moby puts the request's env first and the image's after
 * it (here the image's order is kept), and keeps a name given twice; root gets no supplementary
 * groups from the image's /etc/group (busybox's {@code wheel}); the image's labels are not merged
 * into the container's.
 *
 * @param spec what is stored as the request: its health check merged with the image's
 * @param args the process: entrypoint then cmd
 * @param env NAME=value, as given
 */
public record ContainerConfig(CreateSpec spec, List<String> args, List<String> env, String cwd, int uid, int gid,
                              List<Integer> groups) {
    public ContainerConfig {
        args = List.copyOf(args);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
    }

    /** An image's accounts, read when a user is given by name. */
    @FunctionalInterface
    public interface AccountSource {
        Accounts get() throws EngineException;
    }

    /** As {@link #resolve(CreateSpec, ImageConfig, AccountSource)} for an image with no /etc/passwd or /etc/group. */
    public static ContainerConfig resolve(CreateSpec requested, ImageConfig image) throws EngineException {
        return resolve(requested, image, () -> Accounts.NONE);
    }

    /** Resolves {@code requested} against its image's config; refuses a request with no command or a user it cannot take. */
    public static ContainerConfig resolve(CreateSpec requested, ImageConfig image, AccountSource accounts)
            throws EngineException {
        CreateSpec spec = requested.withHealthcheck(Healthcheck.merge(requested.healthcheck(), image.healthcheck()));
        List<String> entrypoint = spec.entrypoint() != null ? spec.entrypoint() : image.entrypoint();
        List<String> cmd = !spec.cmd().isEmpty() ? spec.cmd() : spec.entrypoint() != null ? List.of() : image.cmd();
        List<String> args = new ArrayList<>(entrypoint == null ? List.of() : entrypoint);
        args.addAll(cmd == null ? List.of() : cmd);
        if (args.isEmpty()) {
            throw EngineException.invalid("no command specified");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : image.env() == null ? List.<String>of() : image.env()) {
            env.put(e.split("=", 2)[0], e);
        }
        for (String e : spec.env()) {
            env.put(e.split("=", 2)[0], e);
        }
        if (!env.containsKey("PATH")) {
            env.put("PATH", OciSpec.DEFAULT_PATH);
        }
        String cwd = nonEmpty(spec.workingDir(), nonEmpty(image.workingDir(), "/"));
        Accounts.ExecUser user = user(nonEmpty(spec.user(), nonEmpty(image.user(), "0")), accounts);
        return new ContainerConfig(spec, args, List.copyOf(env.values()), cwd, user.uid(), user.gid(),
                user.additionalGids());
    }

    /**
     * The environment a process starts with, as moby's {@code CreateDaemonEnvironment} makes it: the
     * container's, plus HOSTNAME and (with a TTY) TERM=xterm unless it sets them itself. Added at
     * each start and exec rather than stored, so inspect shows the container's own, as dockerd's does.
     */
    public static List<String> processEnv(List<String> env, String hostname, boolean tty) {
        List<String> out = new ArrayList<>(env);
        if (env.stream().noneMatch(e -> e.startsWith("HOSTNAME="))) {
            out.add("HOSTNAME=" + hostname);
        }
        if (tty && env.stream().noneMatch(e -> e.startsWith("TERM="))) {
            out.add("TERM=xterm");
        }
        return out;
    }

    /** A user as docker's --user or an image's USER gives it: numbers as they are, names from the image's accounts. */
    public static Accounts.ExecUser user(String spec, AccountSource accounts) throws EngineException {
        if (!Accounts.needsFiles(spec)) {
            int[] ids = parseUser(spec);
            return new Accounts.ExecUser(ids[0], ids[1], List.of());
        }
        return accounts.get().resolve(spec);
    }

    /**
     * A user as docker's --user gives it, uid[:gid] where "root" stands for 0: {uid, gid}. Without a
     * group the gid is 0, as runc's when the image's passwd has no entry for the uid (callers with the
     * image's files use {@link #user} instead, which looks the entry up).
     */
    public static int[] parseUser(String user) throws EngineException {
        String[] parts = user.split(":", 2);
        try {
            int uid = parts[0].equals("root") ? 0 : Integer.parseInt(parts[0]);
            int gid = parts.length > 1 ? (parts[1].equals("root") ? 0 : Integer.parseInt(parts[1])) : 0;
            return new int[] {uid, gid};
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid user \"" + user + "\"");
        }
    }

    /** Docker's "unset": {@code s}, or {@code otherwise} when it is null or empty. */
    public static String nonEmpty(String s, String otherwise) {
        return s == null || s.isEmpty() ? otherwise : s;
    }
}
