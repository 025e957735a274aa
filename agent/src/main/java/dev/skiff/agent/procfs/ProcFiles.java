package dev.skiff.agent.procfs;

import dev.skiff.agent.api.IoUsage;
import dev.skiff.agent.api.NetworkCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsers of the cgroup v2 and /proc files docker stats and docker top need; text in, values out.
 * Malformed lines are skipped: the kernel writes these files, and a value missing is reported as 0.
 */
public final class ProcFiles {
    /** USER_HZ: the unit of /proc's clock ticks, 100 on every Linux architecture Skiff runs on. */
    public static final long CLOCK_TICKS = 100;
    /** The most keys taken from one flat-keyed file (memory.stat has about 50). */
    static final int MAX_KEYS = 128;
    /** The most lines taken from io.stat or net/dev. */
    static final int MAX_LINES = 64;

    private ProcFiles() {}

    /** A flat-keyed file ("key value" per line: cpu.stat, memory.stat), in file order. */
    public static Map<String, Long> keyValues(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 2 && out.size() < MAX_KEYS) {
                Long value = number(words[1]);
                if (value != null) {
                    out.put(words[0], value);
                }
            }
        }
        return out;
    }

    /** A single-value file (memory.current, pids.current); "max" is -1; unreadable text is 0. */
    public static long single(String text) {
        String t = text.trim();
        if (t.equals("max")) {
            return -1;
        }
        Long value = number(t);
        return value == null ? 0 : value;
    }

    /** io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device. */
    public static List<IoUsage> ioStat(String text) {
        List<IoUsage> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            String[] device = words[0].split(":");
            if (device.length != 2 || out.size() >= MAX_LINES) {
                continue;
            }
            Long major = number(device[0]);
            Long minor = number(device[1]);
            if (major == null || minor == null) {
                continue;
            }
            IoUsage.Builder b = IoUsage.newBuilder().setMajor(major.intValue()).setMinor(minor.intValue());
            for (int i = 1; i < words.length; i++) {
                String[] kv = words[i].split("=", 2);
                Long v = kv.length == 2 ? number(kv[1]) : null;
                if (v == null) {
                    continue;
                }
                switch (kv[0]) {
                    case "rbytes" -> b.setReadBytes(v);
                    case "wbytes" -> b.setWriteBytes(v);
                    case "rios" -> b.setReadIos(v);
                    case "wios" -> b.setWriteIos(v);
                    default -> { } // dbytes, dios: discards, which Docker does not report
                }
            }
            out.add(b.build());
        }
        return out;
    }

    /**
     * /proc/PID/net/dev: two header lines, then "NAME: rx_bytes rx_packets rx_errs rx_drop fifo frame
     * compressed multicast tx_bytes tx_packets tx_errs tx_drop ..." (net/core/net-procfs.c); loopback
     * is left out, as Docker leaves it out.
     */
    public static List<NetworkCounters> netDev(String text) {
        List<NetworkCounters> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || out.size() >= MAX_LINES) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.isEmpty() || name.equals("lo") || f.length < 12) {
                continue;
            }
            long[] v = new long[12];
            boolean ok = true;
            for (int i = 0; i < 12 && ok; i++) {
                Long n = number(f[i]);
                ok = n != null;
                v[i] = ok ? n : 0;
            }
            if (ok) {
                out.add(NetworkCounters.newBuilder().setName(name).setRxBytes(v[0]).setRxPackets(v[1])
                        .setRxErrors(v[2]).setRxDropped(v[3]).setTxBytes(v[8]).setTxPackets(v[9])
                        .setTxErrors(v[10]).setTxDropped(v[11]).build());
            }
        }
        return out;
    }

    /**
     * The machine's CPU time in nanoseconds, as dockerd's getSystemCPUUsage computes it: the sum
     * of the first eight fields of /proc/stat's "cpu" line (user to steal), in clock ticks.
     */
    public static long systemCpuNanos(String procStat) {
        for (String line : procStat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("cpu")) {
                long ticks = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    Long n = number(f[i]);
                    ticks += n == null ? 0 : n;
                }
                return ticks * (1_000_000_000L / CLOCK_TICKS);
            }
        }
        return 0;
    }

    /** How many "cpuN" lines /proc/stat has: the CPUs online. */
    public static int onlineCpus(String procStat) {
        int n = 0;
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                n++;
            }
        }
        return n;
    }

    /** The fields of /proc/PID/stat that ps -ef shows (proc(5): ppid, tty_nr, utime, stime, starttime). */
    public record Stat(String comm, int ppid, int ttyNr, long utime, long stime, long starttime) {
        /** User and system time in milliseconds. */
        public long cpuMillis() {
            return (utime + stime) * 1000 / CLOCK_TICKS;
        }
    }

    /**
     * /proc/PID/stat. The command name is in parentheses and may itself hold spaces and
     * parentheses, so the fields are counted from the last ')'. Null if the line is malformed.
     */
    public static Stat stat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        // after ')': state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10) cminflt(11)
        // majflt(12) cmajflt(13) utime(14) stime(15) cutime(16) cstime(17) priority(18) nice(19)
        // num_threads(20) itrealvalue(21) starttime(22)
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (f.length < 20) {
            return null;
        }
        Long ppid = number(f[1]);
        Long tty = signed(f[4]);
        Long utime = number(f[11]);
        Long stime = number(f[12]);
        Long start = number(f[19]);
        if (ppid == null || tty == null || utime == null || stime == null || start == null) {
            return null;
        }
        return new Stat(line.substring(open + 1, close), ppid.intValue(), tty.intValue(), utime, stime, start);
    }

    /**
     * The name ps gives a controlling terminal (tty_nr: major in bits 8-15, minor in bits 0-7 and
     * 20-31; Documentation/admin-guide/devices.txt): "pts/N", "ttyN", "ttySN", "console", or "?".
     */
    public static String ttyName(int ttyNr) {
        int major = (ttyNr >> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        if (ttyNr == 0) {
            return "?";
        }
        if (major >= 136 && major <= 143) {
            return "pts/" + ((major - 136) * 256 + minor);
        }
        if (major == 4) {
            return minor < 64 ? "tty" + minor : "ttyS" + (minor - 64);
        }
        if (major == 5 && minor == 1) {
            return "console";
        }
        if (major == 5 && minor == 0) {
            return "tty";
        }
        return "?";
    }

    /** The real uid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"); -1 if absent. */
    public static long realUid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                Long uid = number(f[0]);
                return uid == null ? -1 : uid;
            }
        }
        return -1;
    }

    /** The name of {@code uid} in an /etc/passwd ("name:x:uid:gid:..."), or "" if it has none. */
    public static String userName(String passwd, long uid) {
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && !f[0].isEmpty() && String.valueOf(uid).equals(f[2])) {
                return f[0];
            }
        }
        return "";
    }

    /**
     * A process's command line as ps shows it: /proc/PID/cmdline's NUL-separated arguments joined
     * by spaces; "[comm]" when it is empty (a zombie, a kernel thread).
     */
    public static String command(byte[] cmdline, String comm) {
        int end = cmdline.length;
        while (end > 0 && cmdline[end - 1] == 0) {
            end--;
        }
        if (end == 0) {
            return "[" + comm + "]";
        }
        byte[] copy = java.util.Arrays.copyOf(cmdline, end);
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == 0) {
                copy[i] = ' ';
            }
        }
        return new String(copy, StandardCharsets.UTF_8);
    }

    /** /proc/uptime's first field, seconds since boot, in milliseconds; 0 if unreadable. */
    public static long uptimeMillis(String uptime) {
        try {
            return (long) (Double.parseDouble(uptime.trim().split("\\s+")[0]) * 1000);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return 0;
        }
    }

    /** A non-negative decimal (unsigned 64-bit values wrap into a negative long, as protobuf's uint64 does). */
    private static Long number(String s) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long signed(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
