package dev.deepmatch.recall;

import dev.deepmatch.recall.service.RecallService;
import dev.deepmatch.recall.service.RecallSettings;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.KafkaSecrets;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TimeoutException;

/** {@code bin/learner serve}: the recall service until Ctrl-C. */
public final class ServeMain {
    private ServeMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    /** Runs until interrupted; 0 stopped, 2 bad settings or unreachable topics. */
    static int run(String[] argv) throws Exception {
        Settings s;
        Map<String, String> kafka;
        try {
            CommandLine.Parsed parsed = RecallSettings.COMMAND.parse(argv);
            if (parsed.help()) {
                System.out.print(RecallSettings.COMMAND.usage());
                return 0;
            }
            s = parsed.settings();
            kafka = parsed.prefixed(RecallSettings.KAFKA_PREFIX);
            check(s, kafka);
        } catch (UsageException e) {
            System.err.println("serve: " + e.getMessage());
            System.err.println("serve: --help lists the settings");
            return 2;
        }
        RecallService service;
        try {
            service = RecallService.start(s, kafka);
        } catch (IllegalArgumentException e) {
            System.err.println("serve: " + e.getMessage());
            return 2;
        } catch (TimeoutException e) {
            System.err.println(
                    "serve: no Kafka broker answered at --bootstrap-servers "
                            + s.get(RecallSettings.BOOTSTRAP_SERVERS)
                            + " within 30 s");
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        service.close();
                                    } catch (InterruptedException ignored) {
                                        Thread.currentThread().interrupt();
                                    }
                                    stopped.countDown();
                                },
                                "serve-shutdown"));
        System.out.println(
                "recall: serving on "
                        + service.address()
                        + " (GET /v1/recall?user=U&k=50, /v1/status; the page at /), reading "
                        + s.get(RecallSettings.VECTORS_TOPIC)
                        + " and "
                        + s.get(RecallSettings.USER_VECTORS_TOPIC)
                        + " on "
                        + s.get(RecallSettings.BOOTSTRAP_SERVERS));
        stopped.await();
        return 0;
    }

    /** Rules between settings, and pass-throughs that the consumer would refuse late. */
    static void check(Settings s, Map<String, String> kafka) throws UsageException {
        for (String name : kafka.keySet()) {
            if (!ConsumerConfig.configNames().contains(name)) {
                throw new UsageException("--kafka." + name + " is not a Kafka consumer setting");
            }
        }
        for (String managed :
                new String[] {
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG
                }) {
            if (kafka.containsKey(managed)) {
                throw new UsageException(
                        "--kafka."
                                + managed
                                + ": the service sets it (read_committed, no commits)");
            }
        }
        try {
            KafkaSecrets.check(RecallSettings.KAFKA_PREFIX, kafka);
        } catch (SettingException e) {
            throw new UsageException(e.getMessage());
        }
        String rest = s.get(RecallSettings.FLINK_REST);
        if (rest != null) {
            try {
                URI u = URI.create(rest);
                if (u.getScheme() == null
                        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                        || u.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)://host:port");
                }
            } catch (IllegalArgumentException e) {
                throw new UsageException(
                        "--flink-rest " + rest + ": not a URL like http://localhost:8081");
            }
        }
    }
}
