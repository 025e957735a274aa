package dev.skiff.cli.docker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The databases' speed with their data on a bind mount against the same database on the container's
 * own scratch disk (its writable layer, on the VM's ext4 virtio-blk disk), in one container, so one VM
 * and one run: pgbench (scale 1, 4 clients, TPC-B-like, a commit and its fsync per transaction) and a
 * MariaDB InnoDB insert loop (one row per autocommitted statement). Rounds alternate bind and
 * scratch, so a slow period of the host hits both; medians and ratios are printed, nothing about time
 * is asserted (issue 18's goal is a ratio of at least 0.5). Only that each run produced a figure is
 * checked: a benchmark whose database did not start says so instead of reporting nothing.
 *
 * <p>Not in the default VM phase (its name does not end in IT). A full run:
 * {@code ./skiff test -pl cli -am -Dit.test=DockerAppsBench} (3 rounds; -Dskiff.bench.rounds=N,
 * -Dskiff.bench.seconds=S for pgbench's length, -Dskiff.bench.rows=N for MariaDB's loop,
 * -Dskiff.apps.isolation=hyperv for a container in a VM of its own, -Dskiff.bench.databases=pgbench or
 * mariadb for one of them). CI runs one short round of pgbench.
 */
class DockerAppsBench extends AppsOnBindMounts {
    private static final int ROUNDS = Integer.getInteger("skiff.bench.rounds", 3);
    private static final int SECONDS = Integer.getInteger("skiff.bench.seconds", 20);
    private static final int ROWS = Integer.getInteger("skiff.bench.rows", 400);
    /** Which databases to measure: "pgbench,mariadb" (CI's short round takes pgbench alone). */
    private static final List<String> DATABASES = List.of(System.getProperty("skiff.bench.databases", "pgbench,mariadb").split(","));

    /** Where each database lives: the bind mount, and a folder in the container's own writable layer. */
    private static final String PLACES = "/data /var/tmp/scratch";

    /** One line per round and place: "pgbench PLACE TPS". */
    private static final String PGBENCH = """
            pg() { runuser -u postgres -- /usr/lib/postgresql/15/bin/"$@"; }
            mkdir -p /var/tmp/scratch && chown postgres /data /var/tmp/scratch
            start() { pg pg_ctl -D $1/pg -o "-k /tmp -c listen_addresses=" -l $1/pg.log -w -t 900 start >/dev/null \\
                        || { cat $1/pg.log; exit 1; }; }
            # one initdb and one pgbench -i, the cluster then copied to the other places: neither is what
            # this measures, and each costs most of a minute under TCG (so later rounds find the history
            # of earlier ones: a few thousand rows, alike at both places)
            first=""
            for at in %2$s; do
              if [ -z "$first" ]; then
                pg initdb -D $at/pg -A trust >/dev/null
                start $at
                pg pgbench -h /tmp -i -s 1 -q postgres >/dev/null 2>&1
                pg pg_ctl -D $at/pg -w -t 900 stop -m fast >/dev/null
                first=$at/pg
              else
                cp -a $first $at/pg
              fi
            done
            for round in $(seq %1$d); do
              for at in %2$s; do
                start $at
                tps=$(pg pgbench -h /tmp -c 4 -T %3$d -n postgres | sed -n 's/^tps = \\([0-9.]*\\) .*/\\1/p')
                echo "pgbench $at $tps"
                pg pg_ctl -D $at/pg -w -t 900 stop -m fast >/dev/null
              done
            done
            """;

    /** One line per round and place: "mariadb PLACE ROWS_PER_SECOND". */
    private static final String MARIADB = """
            mkdir -p /var/tmp/scratch && chown mysql /data /var/tmp/scratch
            for at in %2$s; do
              mariadb-install-db --user=mysql --datadir=$at/db >/tmp/install.log 2>&1 || { cat /tmp/install.log; exit 1; }
            done
            seq %3$d | sed 's/.*/insert into b.t (v) values (md5(&));/' > /tmp/inserts.sql
            for round in $(seq %1$d); do
              for at in %2$s; do
                mariadbd --user=mysql --datadir=$at/db --socket=/tmp/m.sock --pid-file=/tmp/m.pid --skip-networking \\
                  --log-error=/tmp/err.log & pid=$!
                until mariadb-admin --socket=/tmp/m.sock ping >/dev/null 2>&1; do
                  kill -0 $pid 2>/dev/null || { cat /tmp/err.log; exit 1; }
                  sleep 0.5
                done
                mariadb --socket=/tmp/m.sock -e "create database if not exists b; drop table if exists b.t;
                    create table b.t (id int auto_increment primary key, v varchar(64)) engine=InnoDB"
                t0=$(date +%%s%%N)
                mariadb --socket=/tmp/m.sock < /tmp/inserts.sql
                t1=$(date +%%s%%N)
                echo "mariadb $at $(( %3$d * 1000000000 / (t1 - t0) ))"
                mariadb-admin --socket=/tmp/m.sock shutdown
                wait $pid
              done
            done
            """;

    @Test
    void pgbenchAndAMariadbInsertLoopOnABindMountAgainstTheScratchDisk() throws Exception {
        String isolation = System.getProperty("skiff.apps.isolation", "default");
        if (!DATABASES.contains("pgbench") && !DATABASES.contains("mariadb")) {
            throw new AssertionError("-Dskiff.bench.databases names neither pgbench nor mariadb: " + DATABASES);
        }
        if (DATABASES.contains("pgbench")) {
            Path pgData = dataFolder("pgbench", isolation);
            report("pgbench (scale 1, 4 clients, " + SECONDS + " s), transactions/s", isolation,
                    run(isolation, pgData, String.format(Locale.ROOT, PGBENCH, ROUNDS, PLACES, SECONDS)));
        }
        if (DATABASES.contains("mariadb")) {
            Path mariaData = dataFolder("mariadb-bench", isolation);
            report("MariaDB InnoDB, " + ROWS + " autocommitted inserts, rows/s", isolation,
                    run(isolation, mariaData, String.format(Locale.ROOT, MARIADB, ROUNDS, PLACES, ROWS)));
        }
    }

    /** Medians of each place's figures and bind/scratch; fails only if a run gave no figure. */
    private static void report(String what, String isolation, String out) {
        Map<String, List<Double>> byPlace = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                throw new AssertionError("a run gave no figure: '" + line + "' in:\n" + out);
            }
            byPlace.computeIfAbsent(f[1], k -> new ArrayList<>()).add(Double.parseDouble(f[2]));
        }
        double bind = median(byPlace.get("/data"));
        double scratch = median(byPlace.get("/var/tmp/scratch"));
        System.out.printf(Locale.ROOT, "DockerAppsBench [%s, isolation %s, %d rounds]: bind mount %.1f, scratch disk %.1f,"
                + " ratio %.2f (runs: bind %s, scratch %s)%n", what, isolation, ROUNDS, bind, scratch, bind / scratch,
                byPlace.get("/data"), byPlace.get("/var/tmp/scratch"));
    }

    private static double median(List<Double> xs) {
        if (xs == null || xs.isEmpty()) {
            throw new AssertionError("no figures");
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
