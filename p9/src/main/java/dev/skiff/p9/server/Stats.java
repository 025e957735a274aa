package dev.skiff.p9.server;

import dev.skiff.p9.wire.P9;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Opt-in per-request timing of one server (every connection adds to it), for finding where a
 * request's time goes. For each T-message type it keeps a count and a histogram of the service
 * time: from the moment the whole frame has been read to the moment its reply has been written
 * to the transport. It also keeps the "idle" time: how long the reading thread waited for the
 * next frame after it had replied to everything, which with a client that sends one request at
 * a time (the Linux kernel client running one system call) is the round trip outside the server:
 * the transport, any relay, and the client itself.
 *
 * <p>Histogram buckets are 1 us wide up to 1 ms, then 10 us wide up to 100 ms; longer times
 * count in the last bucket. Thread-safe; recording costs a lock and two array writes.
 */
public final class Stats {
    private static final int FINE = 1000, COARSE = 9900, BUCKETS = FINE + COARSE + 1;
    /** The row of idle time, after the 256 message types. */
    private static final int IDLE = 256;

    private final long[][] hist = new long[IDLE + 1][];
    private final long[] count = new long[IDLE + 1];
    private final long[] sumNanos = new long[IDLE + 1];
    private final long[] maxNanos = new long[IDLE + 1];
    private final long started = System.nanoTime();
    private volatile long[] cpuAtStart = processCpu();
    /** The last {@link #RING} events, oldest overwritten: end time, row, duration. */
    private static final int RING = 1 << 15;
    private final long[] ringAt = new long[RING], ringNanos = new long[RING];
    private final short[] ringRow = new short[RING];
    private long events;

    /** Marks the start of serving (after any warm-up): the process CPU time is counted from here. */
    public void start() {
        cpuAtStart = processCpu();
    }

    /** User and system CPU time of the whole process in ms (/proc/self/stat fields 14, 15), or null. */
    private static long[] processCpu() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) * 10, Long.parseLong(f[12]) * 10};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Records one request of {@code type} served in {@code nanos}. */
    public void request(int type, long nanos) {
        record(type & 0xff, nanos);
    }

    /** Records one wait for the next frame while nothing was pending. */
    public void idle(long nanos) {
        record(IDLE, nanos);
    }

    private synchronized void record(int row, long nanos) {
        long[] h = hist[row];
        if (h == null) {
            h = hist[row] = new long[BUCKETS];
        }
        h[bucket(nanos)]++;
        count[row]++;
        sumNanos[row] += nanos;
        maxNanos[row] = Math.max(maxNanos[row], nanos);
        int i = (int) (events++ & (RING - 1));
        ringAt[i] = System.nanoTime() - started;
        ringRow[i] = (short) row;
        ringNanos[i] = nanos;
    }

    /**
     * Prints the last events in order, one per line: the time it ended (ms since the server
     * started), the message type or "idle", and how long it took in microseconds. This is
     * where a slow phase of a workload shows what the server was doing, request by request.
     */
    public synchronized void printTimeline(PrintStream out) {
        long first = Math.max(0, events - RING);
        for (long e = first; e < events; e++) {
            int i = (int) (e & (RING - 1));
            out.printf(Locale.ROOT, "%12.3f %-12s %10.1f%n", ringAt[i] / 1e6,
                    ringRow[i] == IDLE ? "idle" : name(ringRow[i]), ringNanos[i] / 1e3);
        }
        out.flush();
    }

    private static int bucket(long nanos) {
        long us = nanos / 1000;
        if (us < FINE) {
            return (int) us;
        }
        return (int) Math.min(FINE + (us - FINE) / 10, BUCKETS - 1);
    }

    /** The lower bound in microseconds of a bucket: percentiles are reported rounded down. */
    private static long bucketUs(int b) {
        return b < FINE ? b : FINE + (long) (b - FINE) * 10;
    }

    private static long percentile(long[] h, long n, double p) {
        long want = (long) Math.ceil(n * p);
        long seen = 0;
        for (int b = 0; b < h.length; b++) {
            seen += h[b];
            if (seen >= want) {
                return bucketUs(b);
            }
        }
        return bucketUs(h.length - 1);
    }

    /** The T-message name of a type number, as in include/net/9p/9p.h. */
    static String name(int type) {
        return switch (type) {
            case P9.TSTATFS -> "Tstatfs";
            case P9.TLOPEN -> "Tlopen";
            case P9.TLCREATE -> "Tlcreate";
            case P9.TSYMLINK -> "Tsymlink";
            case P9.TMKNOD -> "Tmknod";
            case P9.TRENAME -> "Trename";
            case P9.TREADLINK -> "Treadlink";
            case P9.TGETATTR -> "Tgetattr";
            case P9.TSETATTR -> "Tsetattr";
            case P9.TXATTRWALK -> "Txattrwalk";
            case P9.TXATTRCREATE -> "Txattrcreate";
            case P9.TREADDIR -> "Treaddir";
            case P9.TFSYNC -> "Tfsync";
            case P9.TLOCK -> "Tlock";
            case P9.TGETLOCK -> "Tgetlock";
            case P9.TLINK -> "Tlink";
            case P9.TMKDIR -> "Tmkdir";
            case P9.TRENAMEAT -> "Trenameat";
            case P9.TUNLINKAT -> "Tunlinkat";
            case P9.TVERSION -> "Tversion";
            case P9.TAUTH -> "Tauth";
            case P9.TATTACH -> "Tattach";
            case P9.TFLUSH -> "Tflush";
            case P9.TWALK -> "Twalk";
            case P9.TREAD -> "Tread";
            case P9.TWRITE -> "Twrite";
            case P9.TCLUNK -> "Tclunk";
            case P9.TREMOVE -> "Tremove";
            default -> "type-" + type;
        };
    }

    /** Prints one line per message type seen, then the idle line and the totals. */
    public synchronized void print(PrintStream out) {
        out.printf(Locale.ROOT, "%-12s %8s %10s %8s %8s %8s %10s%n",
                "# type", "count", "mean_us", "p50_us", "p99_us", "max_us", "total_ms");
        long served = 0, busy = 0;
        for (int row = 0; row <= IDLE; row++) {
            if (count[row] == 0) {
                continue;
            }
            if (row != IDLE) {
                served += count[row];
                busy += sumNanos[row];
            }
            out.printf(Locale.ROOT, "%-12s %8d %10.1f %8d %8d %8d %10.1f%n",
                    row == IDLE ? "idle" : name(row), count[row], sumNanos[row] / 1e3 / count[row],
                    percentile(hist[row], count[row], 0.50), percentile(hist[row], count[row], 0.99),
                    maxNanos[row] / 1000, sumNanos[row] / 1e6);
        }
        out.printf(Locale.ROOT, "# %d requests, %.1f ms serving them, %.1f ms idle, over %.1f s%n",
                served, busy / 1e6, sumNanos[IDLE] / 1e6, (System.nanoTime() - started) / 1e9);
        long[] now = processCpu();
        if (now != null && cpuAtStart != null) {
            long user = now[0] - cpuAtStart[0], sys = now[1] - cpuAtStart[1];
            out.printf(Locale.ROOT, "# process CPU since start: user %d ms, sys %d ms, %.1f us per request%n",
                    user, sys, served == 0 ? 0.0 : (user + sys) * 1000.0 / served);
        }
        threadTimes(out);
        out.flush();
    }

    /**
     * The CPU time of every thread of this process, from /proc/self/task/N/stat (utime and
     * stime, fields 14 and 15, in clock ticks of 10 ms), so that the JIT compiler and the
     * collector show beside the serving threads. Prints nothing where /proc is absent.
     */
    private static void threadTimes(PrintStream out) {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return;
        }
        java.util.Map<String, long[]> byName = new java.util.TreeMap<>();
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) dirs::iterator) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(t.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue;
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close).replaceAll("[0-9]+$", "#");
                String[] f = stat.substring(close + 2).split(" ");
                long[] sum = byName.computeIfAbsent(name, k -> new long[3]);
                sum[0] += Long.parseLong(f[11]);
                sum[1] += Long.parseLong(f[12]);
                sum[2]++;
            }
        } catch (java.io.IOException e) {
            return;
        }
        out.println("# thread CPU (ms): name threads user sys");
        byName.forEach((name, v) -> {
            if (v[0] + v[1] > 0) {
                out.printf(Locale.ROOT, "# cpu %-18s %3d %8d %8d%n", name.replace(' ', '_'), v[2], v[0] * 10, v[1] * 10);
            }
        });
    }
}
