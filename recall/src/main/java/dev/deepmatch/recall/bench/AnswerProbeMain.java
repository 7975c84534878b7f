package dev.deepmatch.recall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bin/learner probe-answers}: play-to-answer freshness as a client sees it. It follows the
 * first {@code listeners} listeners that play after it starts: every play of theirs on the events
 * topic, with its arrival (the record's timestamp; the events topic stamps arrival, {@code
 * LogAppendTime}), and asks the recall service for each of them every {@code poll-interval}. A play
 * is answered when an answer's user vector reflects a play that arrived at or after it ({@code
 * lastArrivalMillis}): its play-to-answer time is that answer's time minus the arrival. The poll
 * interval adds up to itself (half on average). Last line: {@code play_to_answer_p50_ms=A
 * play_to_answer_p99_ms=B plays=N unanswered=U}.
 */
public final class AnswerProbeMain {
    static final Setting<String> BOOTSTRAP_SERVERS =
            Setting.ofString("bootstrap-servers", "localhost:9092").describedAs("Kafka brokers");
    static final Setting<String> EVENTS_TOPIC =
            Setting.ofString("events-topic", "playback-events").describedAs("the plays' topic");
    static final Setting<String> RECALL =
            Setting.ofString("recall-url", "http://127.0.0.1:8090")
                    .describedAs("the recall service");
    static final Setting<Integer> LISTENERS =
            Setting.ofInt("listeners", 20).range(1, 10_000).describedAs("listeners followed");
    static final Setting<Duration> POLL =
            Setting.ofDuration("poll-interval", Duration.ofMillis(100))
                    .range(Duration.ofMillis(10), Duration.ofMinutes(1))
                    .describedAs("how often each followed listener's answer is asked for");
    static final Setting<Duration> DURATION =
            Setting.ofDuration("duration", Duration.ofSeconds(60))
                    .range(Duration.ofSeconds(1), Duration.ofHours(24))
                    .describedAs("how long plays are followed (answers are awaited 30 s more)");

    static final CommandLine COMMAND =
            CommandLine.builder(
                            "probe-answers",
                            "Measures play-to-answer freshness against a running recall service:"
                                    + " play_to_answer_p50_ms=A play_to_answer_p99_ms=B.")
                    .group(
                            "probe-answers",
                            List.of(
                                    BOOTSTRAP_SERVERS,
                                    EVENTS_TOPIC,
                                    RECALL,
                                    LISTENERS,
                                    POLL,
                                    DURATION))
                    .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnswerProbeMain() {}

    public static void main(String[] argv) throws Exception {
        Settings s;
        try {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                System.out.print(COMMAND.usage());
                return;
            }
            s = parsed.settings();
        } catch (UsageException e) {
            System.err.println("probe-answers: " + e.getMessage());
            System.exit(2);
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.get(BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, ArrayDeque<Long>> pending = new LinkedHashMap<>();
        List<Long> latencies = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        String base = s.get(RECALL);
        long pollMillis = s.get(POLL).toMillis();
        long followUntil = System.currentTimeMillis() + s.get(DURATION).toMillis();
        long end = followUntil + 30_000;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(s.get(EVENTS_TOPIC), Duration.ofSeconds(30));
            } catch (TimeoutException e) {
                System.err.println(
                        "probe-answers: no Kafka broker answered at --bootstrap-servers "
                                + s.get(BOOTSTRAP_SERVERS)
                                + " within 30 s (bin/learner local prints its broker's address)");
                System.exit(2);
                return;
            }
            if (infos == null || infos.isEmpty()) {
                System.err.println(
                        "probe-answers: --events-topic " + s.get(EVENTS_TOPIC) + ": no such topic");
                System.exit(2);
            }
            infos.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            long nextAsk = 0;
            while (System.currentTimeMillis() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(10))) {
                    if (r.key() == null || r.timestamp() > followUntil) {
                        continue;
                    }
                    String user = new String(r.key(), StandardCharsets.UTF_8);
                    ArrayDeque<Long> plays = pending.get(user);
                    if (plays == null && pending.size() < s.get(LISTENERS)) {
                        plays = new ArrayDeque<>();
                        pending.put(user, plays);
                    }
                    if (plays != null) {
                        plays.add(r.timestamp());
                    }
                }
                long now = System.currentTimeMillis();
                if (now < nextAsk) {
                    continue;
                }
                nextAsk = now + pollMillis;
                boolean waiting = false;
                for (Map.Entry<String, ArrayDeque<Long>> e : pending.entrySet()) {
                    if (e.getValue().isEmpty()) {
                        continue;
                    }
                    waiting = true;
                    long reflected = reflectedArrival(http, base, e.getKey());
                    long answeredAt = System.currentTimeMillis();
                    while (!e.getValue().isEmpty() && e.getValue().peek() <= reflected) {
                        latencies.add(answeredAt - e.getValue().poll());
                    }
                }
                if (!waiting && now > followUntil) {
                    break;
                }
            }
        }
        long unanswered = pending.values().stream().mapToLong(ArrayDeque::size).sum();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "play_to_answer_p50_ms=%d play_to_answer_p99_ms=%d plays=%d unanswered=%d%n",
                quantile(sorted, 0.5),
                quantile(sorted, 0.99),
                sorted.length,
                unanswered);
    }

    private static long quantile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.floor(p * (sorted.length - 1))];
    }

    /** The arrival of the newest play the listener's answer reflects; -1 without an answer. */
    private static long reflectedArrival(HttpClient http, String base, String user) {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    base
                                                            + "/v1/recall?k=10&user="
                                                            + java.net.URLEncoder.encode(
                                                                    user, StandardCharsets.UTF_8)))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            JsonNode a = JSON.readTree(r.body());
            return a.path("lastArrivalMillis").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}
