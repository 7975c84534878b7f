package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.KafkaCredentialsCheck;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that requires SASL/SCRAM-SHA-512: the password lives in a file read
 * through Kafka's FileConfigProvider, so the job's arguments carry only a reference to it. With the
 * right password plays become vectors; the password shows nowhere in the REST API (job
 * configuration, cluster configuration, job details) nor in the log at INFO. A wrong password is
 * refused before the job starts, with a message that names the cause.
 */
class KafkaSecurityITCase {

    private static final String EVENTS = "sec-events";
    private static final String VECTORS = "sec-vectors";
    private static final String USER = "learner";
    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.builder().scramUser(USER, PASSWORD).start();
        Jobs.createTopics(kafka, "sec");
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theRightPasswordWorksAndShowsNowhere(@InjectClusterRESTAddress URI rest, @TempDir Path dir)
            throws Exception {
        Path secret = writeSecret(dir, PASSWORD);
        StringWriter log = new StringWriter();
        WriterAppender appender = captureLogAtInfo(log);
        JobClient job = null;
        try {
            send(200);
            Map<String, String> settings = settings(dir, secret);
            KafkaCredentialsCheck.check(config(settings));
            job = Jobs.submit(settings, null);
            RestMetrics metrics = new RestMetrics(rest.toString(), job.getJobID().toString());
            Jobs.awaitMetrics(
                    metrics,
                    Set.of("eventsIn", "vectorsEmitted"),
                    v -> v.get("eventsIn") >= 200 && v.get("vectorsEmitted") > 0,
                    WAIT);
            assertThat(TopicReader.readUntil(kafka, VECTORS, WAIT, l -> !l.isEmpty()))
                    .as("vectors committed through the SASL listener")
                    .isNotEmpty();

            String id = job.getJobID().toString();
            for (String path :
                    List.of(
                            "/jobs/" + id + "/config",
                            "/jobs/" + id,
                            "/jobs/" + id + "/plan",
                            "/jobmanager/config",
                            "/jobs/" + id + "/exceptions")) {
                assertThat(get(rest, path)).as("REST %s", path).doesNotContain(PASSWORD);
            }
            assertThat(log.toString())
                    .as("the log at INFO (%d characters)", log.toString().length())
                    .contains("sasl.jaas.config")
                    .doesNotContain(PASSWORD);
        } finally {
            stopCapture(appender);
            if (job != null) {
                Jobs.cancel(job, WAIT);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefusedBeforeTheJobStartsWithTheCause(@TempDir Path dir) throws Exception {
        Path secret = writeSecret(dir, "not-" + PASSWORD);
        JobConfig config = config(settings(dir, secret));
        long start = System.nanoTime();
        assertThatThrownBy(() -> KafkaCredentialsCheck.check(config))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("rejected the job's credentials")
                .hasMessageContaining("SCRAM-SHA-512")
                .hasMessageContaining("Authentication failed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("fails fast, not after the 30 s timeout")
                .isLessThan(Duration.ofSeconds(20));
    }

    /** The secret as an operator mounts it: a properties file readable only by the job. */
    private static Path writeSecret(Path dir, String password) throws Exception {
        Path file = dir.resolve("kafka-credentials.properties");
        Files.writeString(
                file,
                "jaas=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + USER
                        + "\" password=\""
                        + password
                        + "\";\n");
        return file;
    }

    private static Map<String, String> settings(Path dir, Path secret) {
        Map<String, String> s =
                Jobs.settings(kafka.saslBootstrapServers(), "sec", dir.resolve("checkpoints"));
        s.put("batch-size", "32");
        s.put("kafka.security.protocol", "SASL_PLAINTEXT");
        s.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        s.put("kafka.config.providers", "file");
        s.put(
                "kafka.config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider");
        s.put("kafka.sasl.jaas.config", "${file:" + secret + ":jaas}");
        return s;
    }

    private static JobConfig config(Map<String, String> settings) throws Exception {
        List<String> args = new ArrayList<>();
        settings.forEach(
                (k, v) -> {
                    args.add("--" + k);
                    args.add(v);
                });
        return JobConfig.fromArgs(args.toArray(new String[0]));
    }

    private static void send(int n) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.saslBootstrapServers());
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + USER
                        + "\" password=\""
                        + PASSWORD
                        + "\";");
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(2).users(30).tracks(60).build());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                PlaybackEvent e = generator.next();
                producer.send(
                        new ProducerRecord<>(
                                EVENTS,
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                WireCodec.PLAYBACK_EVENT.encode(e)));
            }
            producer.flush();
        }
    }

    private static String get(URI rest, String path) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(rest.resolve(path)).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    /** Everything logged at INFO and above, for the test's duration. */
    private static WriterAppender captureLogAtInfo(StringWriter out) {
        LoggerContext context = LoggerContext.getContext(false);
        Configuration configuration = context.getConfiguration();
        WriterAppender appender =
                WriterAppender.newBuilder()
                        .setName("capture")
                        .setTarget(out)
                        .setLayout(PatternLayout.newBuilder().withPattern("%c - %m%n").build())
                        .build();
        appender.start();
        configuration.getRootLogger().addAppender(appender, Level.INFO, null);
        configuration.getRootLogger().setLevel(Level.INFO);
        context.updateLoggers();
        return appender;
    }

    private static void stopCapture(WriterAppender appender) {
        LoggerContext context = LoggerContext.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.getConfiguration().getRootLogger().setLevel(Level.WARN);
        context.updateLoggers();
        appender.stop();
    }
}
