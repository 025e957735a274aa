package dev.skiff.engine.container;

import dev.skiff.agent.api.ProcessInfo;
import dev.skiff.engine.api.Backend.ProcessList;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * docker top's table from the processes the guest listed: ps -ef's columns, as procps formats
 * them (UID, PID, PPID, C, STIME, TTY, TIME, CMD). The guest is untrusted: more than {@link
 * #MAX_PROCESSES} processes, a pid that is not positive or a negative time is refused, and
 * strings are cut and cleared of control characters before they reach a terminal.
 *
 * <p>PIDs are the utility VM's, where Docker reports the host's: a container's processes have no
 * host pid under Skiff.
 */
public final class PsTable {
    public static final List<String> TITLES = List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
    /** The most processes taken from the guest (the agent lists at most as many). */
    public static final int MAX_PROCESSES = 4096;
    static final int MAX_COMMAND = 4096;
    static final int MAX_NAME = 32;

    private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter THIS_YEAR = DateTimeFormatter.ofPattern("MMMdd", Locale.ROOT);
    private static final DateTimeFormatter OLDER = DateTimeFormatter.ofPattern("yyyy", Locale.ROOT);

    private PsTable() {}

    /**
     * @param now  the host's time; a process's start is {@code now} less its age in the guest, so a
     *             guest clock that is off does not matter
     * @param zone where STIME is shown, as ps shows it in the host's local time
     * @throws IllegalArgumentException naming what the guest got wrong
     */
    public static ProcessList of(List<ProcessInfo> processes, Instant now, ZoneId zone) {
        if (processes.size() > MAX_PROCESSES) {
            throw new IllegalArgumentException(processes.size() + " processes, more than the " + MAX_PROCESSES
                    + " the agent lists");
        }
        List<List<String>> rows = new ArrayList<>();
        for (ProcessInfo p : processes) {
            if (p.getPid() <= 0 || p.getPpid() < 0 || p.getElapsedMillis() < 0 || p.getCpuMillis() < 0) {
                throw new IllegalArgumentException("an impossible process: pid " + p.getPid() + ", ppid " + p.getPpid()
                        + ", age " + p.getElapsedMillis() + " ms, CPU " + p.getCpuMillis() + " ms");
            }
            String user = clean(p.getUser(), MAX_NAME);
            rows.add(List.of(user.isEmpty() ? Integer.toUnsignedString(p.getUid()) : user,
                    Integer.toString(p.getPid()), Integer.toString(p.getPpid()),
                    Long.toString(cpuPercent(p.getCpuMillis(), p.getElapsedMillis())),
                    startTime(now.minusMillis(p.getElapsedMillis()), now, zone),
                    clean(p.getTty(), MAX_NAME), cpuTime(p.getCpuMillis()), clean(p.getCmd(), MAX_COMMAND)));
        }
        return new ProcessList(TITLES, rows);
    }

    /** C: the CPU time over the process's life in percent, at most 99 (procps's pr_c). */
    static long cpuPercent(long cpuMillis, long elapsedMillis) {
        return elapsedMillis <= 0 ? 0 : Math.min(99, cpuMillis * 100 / elapsedMillis);
    }

    /** STIME: "HH:MM" within a day, "MmmDD" within the year, else the year (procps's pr_stime). */
    static String startTime(Instant start, Instant now, ZoneId zone) {
        ZonedDateTime at = start.atZone(zone);
        if (Duration.between(start, now).toHours() < 24) {
            return TODAY.format(at);
        }
        return at.getYear() == now.atZone(zone).getYear() ? THIS_YEAR.format(at) : OLDER.format(at);
    }

    /** TIME: CPU time as "[DD-]HH:MM:SS" (procps's pr_time). */
    static String cpuTime(long cpuMillis) {
        long s = cpuMillis / 1000;
        long days = s / 86400;
        String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
        return days > 0 ? days + "-" + hms : hms;
    }

    /** At most {@code max} characters, control characters as '?' ("" stays ""). */
    static String clean(String s, int max) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        s.codePoints().limit(max).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
