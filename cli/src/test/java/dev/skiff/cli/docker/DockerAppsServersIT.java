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
 * PostgreSQL (initdb, pgbench, a new container reading it back) and RabbitMQ (persistent messages
 * in a durable queue surviving a new container) with their data on a bind mount, in the shared VM
 * and in a VM of their own (see {@link DockerAppsIT} for MariaDB and SQLite). About 16 minutes
 * under TCG.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerAppsServersIT extends AppsOnBindMounts {
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
}
