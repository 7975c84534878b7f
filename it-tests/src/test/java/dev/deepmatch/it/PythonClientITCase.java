package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client in another language, with nothing of ours but the shipped {@code schemas/} folder:
 * {@code clients/python/deepmatch_client.py} (confluent-kafka and avro, as Debian packages them)
 * computes the fingerprints the Java codecs use, produces plays of the current schema interleaved
 * with plays of the release 0.1 schema (devices of an old app version) and one record of a schema
 * the job has never seen, and reads the vectors topic {@code read_committed}, decoding every
 * record. The job accepts both versions and sends the foreign one to the dead-letter topic.
 */
class PythonClientITCase {

    private static final String EVENTS = "py-events";
    private static final String DEAD_LETTERS = "py-events-dlq";
    private static final String VECTORS = "py-vectors";
    private static final int EVENTS_SENT = 600;
    private static final int OLDER_EVERY = 3;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path CLIENT = Path.of("../clients/python/deepmatch_client.py");
    private static final Path SCHEMAS = Path.of("../schemas");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafka kafka;
    private static String python;

    @BeforeAll
    static void start() throws Exception {
        python = pythonWithKafkaAndAvro();
        Assumptions.assumeTrue(
                python != null,
                "no python3 with confluent_kafka and avro (Debian: python3-confluent-kafka"
                        + " python3-avro; .ci/run installs them): skipped");
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, "py");
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void thePythonClientComputesTheFingerprintsOfTheJavaCodecs() throws Exception {
        JsonNode fingerprints = run("fingerprints", "--schemas", SCHEMAS.toString());
        assertThat(fingerprints.get("PlaybackEvent.avsc").asText())
                .isEqualTo(WireCodec.hex(WireCodec.PLAYBACK_EVENT.fingerprint()));
        assertThat(fingerprints.get("ItemVector.avsc").asText())
                .isEqualTo(WireCodec.hex(WireCodec.ITEM_VECTOR.fingerprint()));
        assertThat(fingerprints.get("DeadLetter.avsc").asText())
                .isEqualTo(WireCodec.hex(WireCodec.DEAD_LETTER.fingerprint()));
        Set<String> older = new HashSet<>();
        WireCodec.PLAYBACK_EVENT.writerSchemas().keySet().forEach(f -> older.add(WireCodec.hex(f)));
        assertThat(older).contains(fingerprints.get("older/PlaybackEvent-v1.avsc").asText());
    }

    @Test
    void playsFromPythonAreLearnedAndItsVectorsDecode(
            @InjectClusterRESTAddress URI rest, @TempDir Path checkpoints) throws Exception {
        JsonNode produced =
                run(
                        "produce",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic",
                        EVENTS,
                        "--schemas",
                        SCHEMAS.toString(),
                        "--count",
                        String.valueOf(EVENTS_SENT),
                        "--older-every",
                        String.valueOf(OLDER_EVERY),
                        "--foreign",
                        "1");
        assertThat(produced.at("/sent/older").asInt()).isEqualTo(EVENTS_SENT / OLDER_EVERY);
        Set<String> itemsSent = new HashSet<>();
        produced.get("items").forEach(n -> itemsSent.add(n.asText()));

        JobClient job = Jobs.submit(settings(checkpoints), null);
        try {
            RestMetrics metrics = new RestMetrics(rest.toString(), job.getJobID().toString());
            Map<String, Double> m =
                    Jobs.awaitMetrics(
                            metrics,
                            Set.of("eventsIn", "invalidEventsTotal", "examplesIn", "modelVersion"),
                            v ->
                                    v.getOrDefault("eventsIn", 0.0) >= EVENTS_SENT + 1
                                            && v.getOrDefault("modelVersion", 0.0) > 0,
                            WAIT);
            assertThat(m.get("invalidEventsTotal"))
                    .as("only the foreign record is invalid; the older writer's plays decode")
                    .isEqualTo(1.0);
            List<DeadLetter> letters = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    TopicReader.readUntil(kafka, DEAD_LETTERS, WAIT, l -> !l.isEmpty())) {
                letters.add(WireCodec.DEAD_LETTER.decode(r.value()));
            }
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).getReason()).isEqualTo("UNKNOWN_SCHEMA");
            assertThat(StandardCharsets.UTF_8.decode(letters.get(0).getOriginalKey()).toString())
                    .isEqualTo("foreign");

            JsonNode read =
                    run(
                            "read-vectors",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--topic",
                            VECTORS,
                            "--schemas",
                            SCHEMAS.toString(),
                            "--min-records",
                            "20",
                            "--timeout-s",
                            "90");
            System.out.println("python read-vectors: " + read.toString().substring(0, 200));
            assertThat(read.get("undecodable").asInt()).isZero();
            assertThat(read.get("records").asInt()).isGreaterThanOrEqualTo(20);
            assertThat(read.get("maxVersion").asLong()).isGreaterThan(0);
            assertThat(read.get("widths").toString()).isEqualTo("[128]"); // hidden + successor-dim
            Set<String> itemsRead = new HashSet<>();
            read.get("items").forEach(n -> itemsRead.add(n.asText()));
            assertThat(itemsSent).containsAll(itemsRead);
        } finally {
            Jobs.cancel(job, WAIT);
        }
    }

    private static Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), "py", checkpoints);
        return s;
    }

    /** Runs one client command; its last stdout line is a JSON object. */
    private static JsonNode run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, CLIENT.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("python-client", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", args[0], Files.readString(err)).isZero();
        Files.delete(err);
        String[] lines = out.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    private static String pythonWithKafkaAndAvro() throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p =
                        new ProcessBuilder(candidate, "-c", "import confluent_kafka, avro")
                                .redirectErrorStream(true)
                                .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException absent) {
                // try the next one
            }
        }
        return null;
    }
}
