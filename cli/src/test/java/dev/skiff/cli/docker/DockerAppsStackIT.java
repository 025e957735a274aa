package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WordPress (Apache with PHP and MariaDB on two bind mounts, over a user network) and Maven (an
 * offline build with its local repository on the mount), in the shared VM and in a VM of their
 * own (see {@link DockerAppsIT}). About 14 minutes under TCG.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerAppsStackIT extends AppsOnBindMounts {
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
        copy(project, data.resolve("project"));
        // The local repository is on the bind mount and already holds what the build needs, as a CI
        // server's does: the host fills it from Debian's packaged repository (the image's own, in the
        // debootstrap tree; -L since its jars are links into /usr/share/java). One offline build per
        // mode: under TCG each costs minutes, so a second build from the repository the first one
        // filled would add minutes and no file-system operation this one lacks.
        copy(MAVEN.tree().resolve("usr/share/maven-repo"), data.resolve("m2"));
        // C1 only, for Maven's JVM and the one surefire forks: under TCG, C2's compiles of a short
        // build cost more than they give back (what the agent does in the guest, for the same reason)
        DaemonProcess.Result build = runImage(MAVEN, isolation, data, """
                export JAVA_TOOL_OPTIONS='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC'
                cd /data/project
                mvn -o -B -s settings.xml -Dmaven.repo.local=/data/m2 install >/tmp/mvn.log 2>&1 || { cat /tmp/mvn.log; exit 1; }
                grep -E 'Tests run:|BUILD' /tmp/mvn.log | tail -n 2
                java -cp target/hello-1.0.jar skiff.Hello Skiff
                """);
        assertEquals(0, build.code(), build.out() + build.err());
        assertTrue(build.out().contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), build.out());
        assertTrue(build.out().endsWith("BUILD SUCCESS\nbuilt on a bind mount, Skiff\n"), build.out());
        Path installed = data.resolve("m2/dev/skiff/apps/hello/1.0/hello-1.0.jar");
        assertEquals(sha256(data.resolve("project/target/hello-1.0.jar")), sha256(installed),
                "the jar was installed into the repository on the bind mount");
    }

    /** cp -rL on the host, failing loudly. */
    private static void copy(Path from, Path to) throws Exception {
        Process p = new ProcessBuilder("cp", "-rL", from.toString(), to.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "cp -rL " + from + " " + to);
    }
}
