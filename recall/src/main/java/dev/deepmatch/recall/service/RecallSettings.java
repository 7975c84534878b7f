package dev.deepmatch.recall.service;

import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The recall service's settings, declared once. Topic and broker settings carry the job's names and
 * defaults ({@code JobSettings}), so one command line serves both.
 */
public final class RecallSettings {
    private RecallSettings() {}

    public static final Setting<String> BOOTSTRAP_SERVERS =
            Setting.ofString("bootstrap-servers", "localhost:9092")
                    .nonEmpty()
                    .describedAs("Kafka brokers, host:port[,host:port...]");

    public static final Setting<String> VECTORS_TOPIC =
            Setting.ofString("vectors-topic", "item-vectors")
                    .nonEmpty()
                    .describedAs(
                            "compacted topic of the item vectors (ItemVector), read_committed");

    public static final Setting<String> USER_VECTORS_TOPIC =
            Setting.ofString("user-vectors-topic", "user-vectors")
                    .nonEmpty()
                    .describedAs(
                            "compacted topic of the user vectors (UserVector), read_committed");

    public static final Setting<Integer> PORT =
            Setting.ofInt("port", 8090)
                    .range(0, 65_535)
                    .describedAs("HTTP port of the API and the page (0: any free port)");

    public static final Setting<String> BIND =
            Setting.ofString("bind", "127.0.0.1")
                    .nonEmpty()
                    .describedAs("address the HTTP server listens on (0.0.0.0: every interface)");

    public static final Setting<Integer> THREADS =
            Setting.ofInt("http-threads", 16)
                    .range(1, 1024)
                    .describedAs("threads answering HTTP requests");

    public static final Setting<String> INDEX_DIR =
            Setting.ofString("index-dir", null)
                    .valueName("DIR")
                    .defaultShownAs("in memory")
                    .describedAs(
                            "folder of the Lucene index; either way the index is rebuilt from the"
                                    + " compacted topics at start");

    public static final Setting<Integer> DIMENSION =
            Setting.ofInt("dimension", 0)
                    .range(0, 1024)
                    .describedAs(
                            "width of the vectors (hidden + successor-dim); 0: taken from the first"
                                    + " vector read");

    public static final Setting<Duration> REFRESH_INTERVAL =
            Setting.ofDuration("refresh-interval", Duration.ofMillis(100))
                    .range(Duration.ofMillis(1), Duration.ofMinutes(10))
                    .describedAs("how often applied item vectors become visible to queries");

    public static final Setting<String> FLINK_REST =
            Setting.ofString("flink-rest", null)
                    .valueName("URL")
                    .defaultShownAs("none")
                    .describedAs(
                            "the job's REST address (e.g. http://localhost:8081): the page's"
                                    + " learning curve polls the trainer's POS10 / NEG10 there");

    public static final Setting<Integer> MAX_K =
            Setting.ofInt("max-k", 1000).range(1, 100_000).describedAs("largest k a query may ask");

    public static final List<Setting<?>> KAFKA =
            List.of(BOOTSTRAP_SERVERS, VECTORS_TOPIC, USER_VECTORS_TOPIC);

    public static final List<Setting<?>> SERVICE =
            List.of(PORT, BIND, THREADS, INDEX_DIR, DIMENSION, REFRESH_INTERVAL, MAX_K, FLINK_REST);

    /**
     * Prefix of Kafka consumer properties passed through, e.g. {@code --kafka.security.protocol}.
     */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final CommandLine COMMAND =
            CommandLine.builder(
                            "serve",
                            "The recall service: an index of the job's item vectors and the"
                                    + " listeners' user vectors, fed by their compacted topics,"
                                    + " served over HTTP (GET /v1/recall, /v1/status; the page at"
                                    + " /). docs/RECALL.md.")
                    .group("Kafka", KAFKA)
                    .group("service", SERVICE)
                    .passThrough(
                            KAFKA_PREFIX,
                            "any Kafka consumer setting, e.g. --kafka.security.protocol SASL_SSL")
                    .build();
}
