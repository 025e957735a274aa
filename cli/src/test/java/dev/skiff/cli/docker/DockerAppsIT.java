package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
/**
 * Databases with their data on a bind mount, in the shared VM and in a VM of their own: MariaDB's
 * InnoDB (install, a table read back by a new container, a second server refused by InnoDB's lock,
 * across sessions in one VM and across VMs) and SQLite in WAL mode (a writer killed with committed
 * rows only in the WAL, a new container recovering them). PostgreSQL and RabbitMQ
 * ({@link DockerAppsServersIT}), WordPress and Maven ({@link DockerAppsStackIT}) are classes of
 * their own, about 16 and 14 minutes under TCG, so that the two test JVMs run them beside the rest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerAppsIT extends AppsOnBindMounts {
    // ---- MariaDB -------------------------------------------------------------------------------

    /** MariaDB on /data/db, no TCP, its socket in the container's /tmp; up() waits until it answers. */
    private static final String MARIADB = """
            server() { mariadbd --user=mysql --datadir=/data/db --socket=/tmp/m.sock --pid-file=/tmp/m.pid --skip-networking "$@"; }
            sql() { mariadb --socket=/tmp/m.sock -N -B -e "$1"; }
            up() {
              server --log-error=/tmp/err.log & pid=$!
              i=0
              until mariadb-admin --socket=/tmp/m.sock ping >/dev/null 2>&1; do
                kill -0 $pid 2>/dev/null || { cat /tmp/err.log; exit 1; }
                i=$((i+1)); [ $i -lt 1800 ] || { echo "no answer in 15 min"; cat /tmp/err.log; exit 1; }
                sleep 0.5
              done
            }
            down() { mariadb-admin --socket=/tmp/m.sock shutdown; wait $pid; }
            checksum() { sql "select count(*), sum(crc32(v)) from app.t"; }
            """;

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(2)
    void mariadbInnodbTableSurvivesANewContainerAndASecondServerIsRefused(String isolation) throws Exception {
        Path data = dataFolder("mariadb", isolation);
        String first = run(isolation, data, MARIADB + """
                chown mysql /data
                mariadb-install-db --user=mysql --datadir=/data/db >/tmp/install.log 2>&1 || { cat /tmp/install.log; exit 1; }
                up
                sql "create database app"
                sql "create table app.t (id int primary key, v varchar(64)) engine=InnoDB"
                sql "insert into app.t select seq, md5(seq) from app.seq_1_to_20000"
                checksum
                down
                """);
        assertTrue(first.startsWith("20000\t"), first);
        assertTrue(Files.size(data.resolve("db/ibdata1")) > 0, "InnoDB's system tablespace is in the host folder");

        String holder = "mariadb-" + isolation;
        ok("run", "-d", "--name", holder, "--isolation=" + isolation, "-v", data + ":/data", APPS.name(), "sh", "-euc",
                MARIADB + "up\nwait $pid\n");
        ok("exec", holder, "sh", "-c", "until mariadb-admin --socket=/tmp/m.sock ping >/dev/null 2>&1; do sleep 0.5; done");
        assertEquals(first, ok("exec", holder, "sh", "-c", MARIADB + "checksum").out(),
                "a new container reads back what the first one wrote");

        // A second server on the same folder, always in the shared VM: beside the holder there (two 9P
        // sessions in one kernel), or in another VM than the holder's. InnoDB's fcntl lock on ibdata1
        // must refuse it. Aria's control file goes to /tmp, so that Aria's lock (taken first, and
        // retried for 30 s) does not answer instead; with --skip-grant-tables it opens no Aria table
        // it would think moved and zero-fill (mysql.plugin), so the refused server writes nothing.
        DaemonProcess.Result second = runAllowingFailure("default", data, MARIADB
                + "server --aria-log-dir-path=/tmp --skip-grant-tables 2>&1\n");
        assertNotEquals(0, second.code(), second.out() + second.err());
        assertTrue(second.out().contains("[ERROR] InnoDB: Unable to lock ./ibdata1 error: 11"), second.out());
        assertTrue(second.out().contains("[ERROR] Aborting"), second.out());

        assertEquals(first, ok("exec", holder, "sh", "-c", MARIADB + "checksum").out(),
                "the refused server changed nothing");
        assertEquals("app.t\tcheck\tstatus\tOK\nmysql.plugin\tcheck\tstatus\tOK\n",
                ok("exec", holder, "sh", "-c", MARIADB + "sql 'check table app.t, mysql.plugin'").out());
        ok("rm", "-f", holder);
    }

    // ---- SQLite --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(3)
    void sqliteWalWrittenByOneContainerIsRecoveredByAnother(String isolation) throws Exception {
        Path data = dataFolder("sqlite", isolation);
        // The first 1000 rows are checkpointed into the database file; the next 1000 are committed
        // into the WAL only, and the writer is SIGKILLed with the WAL and its shared-memory index
        // in place, as a crash leaves them. The reader must rebuild the index from the WAL.
        String rows = "with recursive s(n) as (select %d union all select n + 1 from s where n < %d) "
                + "insert into t select n, printf('row-%%06d', n) from s;";
        run(isolation, data, """
                cd /data
                sqlite3 app.db "pragma journal_mode=wal; create table t (id integer primary key, v text); %s \
                  pragma wal_checkpoint(truncate);" >/dev/null
                mkfifo /tmp/in
                sqlite3 app.db </tmp/in >/tmp/out 2>&1 & pid=$!
                exec 3>/tmp/in
                echo "pragma wal_autocheckpoint=0; begin; %s commit;" >&3
                echo ".shell touch /tmp/committed" >&3
                i=0
                until [ -e /tmp/committed ]; do
                  kill -0 $pid 2>/dev/null || { cat /tmp/out; exit 1; }
                  i=$((i+1)); [ $i -lt 3000 ] || { echo "no commit in 10 min"; exit 1; }
                  sleep 0.2
                done
                kill -9 $pid
                """.formatted(rows.formatted(1, 1000), rows.formatted(1001, 2000)));
        assertTrue(Files.size(data.resolve("app.db-wal")) > 0, "the writer left its commit in the WAL");

        String read = run(isolation, data, """
                sqlite3 /data/app.db "pragma journal_mode; pragma integrity_check; \
                  select count(*), sum(id), sum(length(v)), max(v) from t;"
                """);
        assertEquals("wal\nok\n2000|2001000|20000|row-002000\n", read);
    }
}
