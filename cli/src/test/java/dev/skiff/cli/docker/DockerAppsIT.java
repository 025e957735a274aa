package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The apps whose data broke on LCOW's bind mounts, from Debian's packages, with their data folder on
 * a Skiff bind mount of a host folder, each in the shared VM and in a VM of its own: PostgreSQL
 * (initdb, pgbench, a new container reading it back), MariaDB's InnoDB (install, a table written
 * and read back by a new container, a second server refused by InnoDB's lock), SQLite in WAL mode
 * (a writer killed with committed rows only in the WAL, a new container recovering them) and
 * RabbitMQ (persistent messages in a durable queue surviving a new container). Every check reads
 * real data back: row counts, sums that pgbench keeps equal, checksums, message bodies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerAppsIT extends DaemonIT {
    /**
     * One image for every app here, so one build and one import: the databases, RabbitMQ with
     * pika for a tiny publisher, and WordPress's stack with curl to fetch its pages (and php-xml, which
     * Debian's wordpress does not pull in but its XML-RPC needs). The default
     * clusters the packages' scripts make are dropped: every test makes its own on /data.
     */
    static final DebianImage APPS = new DebianImage("skiff-apps", List.of("postgresql", "sqlite3", "mariadb-server",
            "rabbitmq-server", "python3-pika", "apache2", "libapache2-mod-php", "php-mysql", "php-xml", "wordpress",
            "curl", "procps"), List.of("var/lib/mysql/*", "var/lib/postgresql/15/main"));

    private final List<Path> folders = new ArrayList<>();

    /**
     * The modes each app runs in: both unless -Dskiff.apps.isolation names one (a run with less
     * time: every app in a dedicated VM costs about a VM boot per container under TCG).
     */
    static List<String> isolations() {
        return List.of(System.getProperty("skiff.apps.isolation", "default,hyperv").split(","));
    }

    @BeforeAll
    static void importImage() throws Exception {
        APPS.importInto(daemon);
    }

    /** The images are 1.3 GB of layer disks in the daemon's folder, which outlives the test under /tmp. */
    @AfterAll
    static void removeImages() throws Exception {
        if (daemon != null) {
            for (String id : ok("ps", "-aq").out().split("\\s+")) {
                if (!id.isBlank()) {
                    docker("rm", "-f", id);
                }
            }
            docker("rmi", APPS.name());
            docker("rmi", MAVEN.name());
        }
    }

    /** A new host folder for an app's data, bind-mounted at /data; removed after the test. */
    private Path dataFolder(String app, String isolation) throws Exception {
        Path dir = Files.createTempDirectory(base, app + "-" + isolation + "-");
        folders.add(dir);
        return dir;
    }

    @AfterEach
    void removeContainersAndFolders() throws Exception {
        // a failed test leaves its containers running: they go before the folders they use
        for (String id : ok("ps", "-aq").out().split("\\s+")) {
            if (!id.isBlank()) {
                docker("rm", "-f", id);
            }
        }
        for (String net : ok("network", "ls", "-q", "--filter", "name=wp-net-").out().split("\\s+")) {
            if (!net.isBlank()) {
                docker("network", "rm", net);
            }
        }
        for (Path dir : folders) {
            // files the apps made belong to their users (postgres, mysql...); root removes them all
            new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
        }
        folders.clear();
    }

    /** docker run --rm with the folder on /data, a shell script as the command; its output, or a failure with it. */
    private static String run(String isolation, Path data, String script, String... options) throws Exception {
        DaemonProcess.Result r = runAllowingFailure(isolation, data, script, options);
        if (r.code() != 0) {
            throw new AssertionError("the container failed (" + r.code() + "):\n" + r.out() + r.err()
                    + "\ndaemon log:\n" + daemon.logTail());
        }
        return r.out();
    }

    private static DaemonProcess.Result runAllowingFailure(String isolation, Path data, String script,
            String... options) throws Exception {
        return runImage(APPS, isolation, data, script, options);
    }

    private static DaemonProcess.Result runImage(DebianImage image, String isolation, Path data, String script,
            String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--isolation=" + isolation, "-v", data + ":/data"));
        args.addAll(List.of(options));
        args.addAll(List.of(image.name(), "sh", "-euc", script));
        return daemon.docker(args, null);
    }

    // ---- PostgreSQL ----------------------------------------------------------------------------

    /** Starts PostgreSQL on /data/pg as its own user, its socket in the container's /tmp. */
    private static final String PG = """
            pg() { runuser -u postgres -- /usr/lib/postgresql/15/bin/"$@"; }
            start() { pg pg_ctl -D /data/pg -o "-k /tmp -c listen_addresses=" -l /data/pg.log -w -t 900 start >/dev/null \
                      || { cat /data/pg.log; exit 1; }; }
            stop() { pg pg_ctl -D /data/pg -w -t 900 stop -m fast >/dev/null; }
            sql() { runuser -u postgres -- psql -h /tmp -X -Atc "$1" postgres; }
            figures() { sql "select count(*), sum(abalance) from pgbench_accounts"; \
                        sql "select count(*), sum(delta) from pgbench_history"; }
            """;

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(1)
    void postgresqlInitdbPgbenchAndANewContainerReadingItBack(String isolation) throws Exception {
        Path data = dataFolder("pg", isolation);
        String first = run(isolation, data, PG + """
                chown postgres /data
                pg initdb -D /data/pg -A trust >/dev/null
                start
                pg pgbench -h /tmp -i -s 1 -q postgres >/dev/null 2>&1
                pg pgbench -h /tmp -c 4 -t 50 -n postgres | grep 'actually processed'
                figures
                stop
                """);
        String[] lines = first.split("\n");
        assertEquals("number of transactions actually processed: 200/200", lines[0], first);
        String accounts = lines[1];
        String history = lines[2];
        assertTrue(accounts.startsWith("100000|"), first);
        assertTrue(history.startsWith("200|"), first);
        // pgbench's transaction adds each history row's delta to one account, all starting at 0
        assertEquals(accounts.substring("100000|".length()), history.substring("200|".length()), first);
        assertTrue(Files.isRegularFile(data.resolve("pg/PG_VERSION")), "the cluster is in the host folder");

        String again = run(isolation, data, PG + """
                start
                figures
                sql "select count(*) from pg_class where relname like 'pgbench_%'"
                stop
                """);
        // the four tables and the three primary keys pgbench made
        assertEquals(accounts + "\n" + history + "\n7\n", again,
                "a new container reads back what the first one wrote");
    }

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

    // ---- RabbitMQ ------------------------------------------------------------------------------

    /**
     * RabbitMQ with its Mnesia folder on /data. The node's name is fixed (rabbit@localhost), since
     * the Mnesia folder is named after it and each container has a hostname of its own. Under TCG
     * every rabbitmqctl call boots an Erlang VM of its own (about 15 s), so the broker is seen up by
     * its AMQP port answering (bash's /dev/tcp: it opens last, after the durable queues are
     * recovered) and stopped by SIGTERM, which it takes as a graceful stop.
     */
    private static final String RABBIT = """
            export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_MNESIA_BASE=/data/mnesia
            up() {
              rabbitmq-server >/tmp/rabbit.log 2>&1 & pid=$!
              i=0
              until bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672' 2>/dev/null; do
                kill -0 $pid 2>/dev/null || { cat /tmp/rabbit.log /var/log/rabbitmq/*; exit 1; }
                i=$((i+1)); [ $i -lt 600 ] || { echo "not up in 10 min"; cat /var/log/rabbitmq/*; exit 1; }
                sleep 1
              done
            }
            down() { kill -TERM "$(cat /data/mnesia/rabbit@localhost.pid)"; wait $pid || true; }
            """;

    /** Publishes 300 persistent messages to the durable queue "jobs", each confirmed by the broker. */
    private static final String PUBLISH = """
            python3 - <<'EOF'
            import pika
            c = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
            ch = c.channel()
            ch.confirm_delivery()  # each publish returns once the broker has the message on disk
            ch.queue_declare('jobs', durable=True)
            for i in range(300):
                ch.basic_publish('', 'jobs', ('job-%04d ' % i + 'x' * i).encode(),
                                 pika.BasicProperties(delivery_mode=2), mandatory=True)
            print('jobs', ch.queue_declare('jobs', durable=True, passive=True).method.message_count)
            c.close()
            EOF
            """;

    /** Takes every message off "jobs", acknowledged, and prints one line per body. */
    private static final String CONSUME = """
            python3 - <<'EOF'
            import pika
            c = pika.BlockingConnection(pika.ConnectionParameters('localhost'))
            ch = c.channel()
            while True:
                method, props, body = ch.basic_get('jobs', auto_ack=True)
                if method is None:
                    break
                print(body.decode(), props.delivery_mode)
            c.close()
            EOF
            """;

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(4)
    void rabbitmqPersistentMessagesSurviveANewContainer(String isolation) throws Exception {
        Path data = dataFolder("rabbitmq", isolation);
        String first = run(isolation, data, RABBIT + """
                mkdir -p /data/mnesia && chown -R rabbitmq /data
                up
                """ + PUBLISH + """
                down
                """);
        assertEquals("jobs 300\n", first);
        assertTrue(Files.isDirectory(data.resolve("mnesia/rabbit@localhost")), "Mnesia is in the host folder");

        String again = run(isolation, data, RABBIT + "up\n" + CONSUME + "down\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            expected.append("job-%04d ".formatted(i)).append("x".repeat(i)).append(" 2\n");
        }
        assertEquals(expected.toString(), again, "every message, in order, still persistent");
    }

    // ---- WordPress -----------------------------------------------------------------------------

    /** MariaDB for WordPress, listening on the user network, its data on /data. */
    private static final String WP_DB = """
            [ -d /data/db ] || { chown mysql /data; mariadb-install-db --user=mysql --datadir=/data/db >/tmp/install.log 2>&1 \
                || { cat /tmp/install.log; exit 1; }; }
            mkdir -p /run/mysqld && chown mysql /run/mysqld
            exec mariadbd --user=mysql --datadir=/data/db --bind-address=0.0.0.0 --skip-name-resolve
            """;

    /**
     * Apache with mod_php serving Debian's WordPress, its uploads folder a bind mount. WordPress may
     * reach nothing outside (no cron, no update checks): the test's traffic stays in its containers.
     */
    private static final String WP_WEB = """
            cat >/etc/wordpress/config-default.php <<EOF
            <?php
            define('DB_NAME', 'wordpress'); define('DB_USER', 'wordpress'); define('DB_PASSWORD', 'skiff-pw');
            define('DB_HOST', '$DB');
            define('DISABLE_WP_CRON', true); define('WP_HTTP_BLOCK_EXTERNAL', true);
            define('AUTOMATIC_UPDATER_DISABLED', true);
            EOF
            cat >/etc/apache2/sites-enabled/000-default.conf <<'EOF'
            <VirtualHost *:80>
              DocumentRoot /usr/share/wordpress
              Alias /wp-content /var/lib/wordpress/wp-content
              <Directory /usr/share/wordpress>
                Options FollowSymLinks
                Require all granted
              </Directory>
              <Directory /var/lib/wordpress/wp-content>
                Require all granted
              </Directory>
            </VirtualHost>
            EOF
            chown www-data /var/lib/wordpress/wp-content/uploads
            # apache2 itself as the container's process, not apache2ctl's shell, so docker stop's SIGTERM stops it
            set +u; . /etc/apache2/envvars; set -u; mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
            exec apache2 -D FOREGROUND
            """;

    /** An XML-RPC call to WordPress as its admin; $1 is the method, $2 its last parameter. */
    private static final String XMLRPC = """
            call() {
              printf '<?xml version="1.0"?><methodCall><methodName>%s</methodName><params>
              <param><value><int>1</int></value></param><param><value><string>admin</string></value></param>
              <param><value><string>skiff-admin-pw</string></value></param><param><value>%s</value></param>
              </params></methodCall>' "$1" "$2" >/tmp/call.xml
              curl -sf -H 'Content-Type: text/xml' --data-binary @/tmp/call.xml http://localhost/xmlrpc.php
            }
            """;

    private static void startWordPress(String isolation, String net, Path db, Path uploads) throws Exception {
        String dbName = "wpdb-" + isolation;
        ok("run", "-d", "--name", dbName, "--network", net, "--isolation=" + isolation, "-v", db + ":/data",
                APPS.name(), "sh", "-euc", WP_DB);
        ok("run", "-d", "--name", "wp-" + isolation, "--network", net, "--isolation=" + isolation, "-e", "DB=" + dbName,
                "-v", uploads + ":/var/lib/wordpress/wp-content/uploads", APPS.name(), "sh", "-euc", WP_WEB);
        ok("exec", dbName, "sh", "-c", "until mariadb-admin ping >/dev/null 2>&1; do sleep 0.5; done");
        ok("exec", "wp-" + isolation, "sh", "-c",
                "until curl -sf -o /dev/null http://localhost/readme.html; do sleep 0.5; done");
    }

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(5)
    void wordpressUploadAndPostSurviveNewContainers(String isolation) throws Exception {
        Path db = dataFolder("wp-db", isolation);
        Path uploads = dataFolder("wp-uploads", isolation);
        String net = "wp-net-" + isolation;
        String web = "wp-" + isolation;
        ok("network", "create", net);
        startWordPress(isolation, net, db, uploads);
        ok("exec", "wpdb-" + isolation, "mariadb", "-e", "create database wordpress; "
                + "create user wordpress identified by 'skiff-pw'; grant all on wordpress.* to wordpress");

        // Installed through its own form, then a file uploaded and a post made through XML-RPC: all of
        // it Apache's PHP writing, as www-data, into the bind mounts through the network
        String installed = ok("exec", web, "curl", "-sf", "-d", "weblog_title=Skiff", "-d", "user_name=admin",
                "-d", "admin_password=skiff-admin-pw", "-d", "admin_password2=skiff-admin-pw", "-d", "pw_weak=1",
                "-d", "admin_email=admin@example.invalid", "-d", "blog_public=0",
                "http://localhost/wp-admin/install.php?step=2").out();
        assertTrue(installed.contains("Success!"), installed);
        String made = ok("exec", web, "sh", "-euc", XMLRPC + """
                head -c 196608 /dev/urandom | base64 >/tmp/skiff.txt
                sha256sum </tmp/skiff.txt | cut -d' ' -f1
                call wp.uploadFile "<struct><member><name>name</name><value><string>skiff.txt</string></value></member>
                  <member><name>type</name><value><string>text/plain</string></value></member>
                  <member><name>bits</name><value><base64>$(base64 -w0 /tmp/skiff.txt)</base64></value></member></struct>" \
                  | grep -o 'http://localhost/wp-content/uploads/[^<]*' | head -n 1
                call wp.newPost "<struct><member><name>post_title</name><value><string>Written on Skiff</string></value></member>
                  <member><name>post_status</name><value><string>publish</string></value></member>
                  <member><name>post_content</name><value><string>Kept on a 9P bind mount</string></value></member></struct>" \
                  | grep -o '<string>[0-9]*</string>' | tr -dc 0-9
                """).out();
        String[] lines = made.split("\n");
        assertEquals(3, lines.length, made);
        String sha = lines[0];
        String url = lines[1];
        String post = lines[2];
        Path onHost = uploads.resolve(url.substring("http://localhost/wp-content/uploads/".length()));
        assertEquals(sha, sha256(onHost), "the upload is in the host folder, intact");

        // New containers on the same folders: MariaDB stops cleanly (its own SIGTERM handling)
        ok("stop", "-t", "300", web, "wpdb-" + isolation);
        ok("rm", web, "wpdb-" + isolation);
        startWordPress(isolation, net, db, uploads);
        String title = ok("exec", web, "curl", "-sf", "http://localhost/?rest_route=/wp/v2/posts/" + post).out();
        assertTrue(title.contains("\"rendered\":\"Written on Skiff\""), title);
        assertEquals(sha + "\n", ok("exec", web, "sh", "-c", "curl -sf " + url + " | sha256sum | cut -d' ' -f1").out(),
                "the upload comes back through Apache");
        ok("rm", "-f", web, "wpdb-" + isolation);
        ok("network", "rm", net);
    }

    // ---- Maven ---------------------------------------------------------------------------------

    /**
     * Maven with the Debian-packaged plugins the tiny project in the test resources names, standing
     * in for Jenkins (which Debian does not package): a Java build's many small reads and writes.
     */
    static final DebianImage MAVEN = new DebianImage("skiff-maven", List.of("maven", "default-jdk-headless",
            "libmaven-resources-plugin-java", "libmaven-compiler-plugin-java", "libsurefire-java",
            "libmaven-jar-plugin-java", "libmaven-install-plugin-java", "junit4"), List.of());
    private static boolean mavenImported;

    @ParameterizedTest
    @MethodSource("isolations")
    @Order(6)
    void mavenBuildsOfflineWithItsLocalRepositoryOnABindMount(String isolation) throws Exception {
        if (!mavenImported) {
            MAVEN.importInto(daemon);
            mavenImported = true;
        }
        Path data = dataFolder("maven", isolation);
        Path project = Path.of(DockerAppsIT.class.getResource("/apps/maven-project").toURI());
        new ProcessBuilder("cp", "-r", project.toString(), data.resolve("project").toString()).inheritIO().start()
                .waitFor();
        // The first build fills the local repository on the bind mount from Debian's packaged one (a
        // folder in the image, named as every repository's mirror in settings.xml), then installs
        // its jar there; a new container then builds offline (-o) from that repository. (The same
        // settings both times: Maven serves an artifact offline only for the repository id it came from.)
        String build = """
                cd /data/project && rm -rf target
                mvn %s -B -s settings.xml -Dmaven.repo.local=/data/m2 %s >/tmp/mvn.log 2>&1 || { cat /tmp/mvn.log; exit 1; }
                grep -E 'Tests run:|BUILD' /tmp/mvn.log | tail -n 2
                """;
        DaemonProcess.Result first = runImage(MAVEN, isolation, data, build.formatted("", "install"));
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), first.out());
        assertTrue(first.out().contains("BUILD SUCCESS"), first.out());
        Path installed = data.resolve("m2/dev/skiff/apps/hello/1.0/hello-1.0.jar");
        assertEquals(sha256(data.resolve("project/target/hello-1.0.jar")), sha256(installed),
                "the jar was installed into the repository on the bind mount");

        DaemonProcess.Result offline = runImage(MAVEN, isolation, data, build.formatted("-o", "package")
                + "java -cp target/hello-1.0.jar skiff.Hello Skiff\n");
        assertEquals(0, offline.code(), offline.out() + offline.err());
        assertTrue(offline.out().contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), offline.out());
        assertTrue(offline.out().endsWith("BUILD SUCCESS\nbuilt on a bind mount, Skiff\n"), offline.out());
    }

    private static String sha256(Path file) throws Exception {
        var digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        return java.util.HexFormat.of().formatHex(digest);
    }
}
