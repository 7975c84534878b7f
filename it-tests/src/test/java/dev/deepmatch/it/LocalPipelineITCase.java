package dev.deepmatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.job.local.LocalPipeline;
import dev.deepmatch.job.local.Progress;
import dev.deepmatch.job.produce.SourceOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/learner local} starts (embedded broker, producer, job on a local cluster with the
 * web UI), checked from the outside as an operator would: the web UI answers on localhost and the
 * job's metrics are readable, with meaningful values, through the REST API.
 */
class LocalPipelineITCase {

    private static final int EVENTS = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** The metrics the operations docs describe, by the names the job publishes. */
    private static final Set<String> OPERATOR_METRICS =
            Set.of(
                    "eventsIn",
                    "invalidEventsTotal",
                    "invalidEvents.UNDECODABLE",
                    "usersInWindowState",
                    "examplesIn",
                    "examplesPerSecond",
                    "trainingStepMillis_median",
                    "positiveLoss",
                    "negativeLoss",
                    "nextItemLoss",
                    "pos10",
                    "neg10",
                    "modelVersion",
                    "catalogueSize",
                    "vectorsEmitted",
                    "vectorFreshnessMillis_median");

    @Test
    void webUiAnswersAndMetricsAreReadableThroughTheRestApi() throws Exception {
        CliArgs args =
                CliArgs.parse(
                        new String[] {
                            "--generator",
                            "--users",
                            "200",
                            "--tracks",
                            "600",
                            "--rate",
                            "0",
                            "--max-events",
                            String.valueOf(EVENTS)
                        },
                        Set.of("generator"));
        SourceOptions source = SourceOptions.parse(args);
        Map<String, String> job = new LinkedHashMap<>();
        job.put("batch-size", "64");
        job.put("emission-interval", "1 s");
        job.put("checkpoint-interval", "2 s");
        try (LocalPipeline pipeline =
                LocalPipeline.start(new LocalPipeline.Settings(source, job, 0, 2, true, false))) {
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> ui =
                    http.send(
                            HttpRequest.newBuilder(URI.create(pipeline.webUrl() + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ui.statusCode());
            assertTrue(ui.body().contains("<html"), "web UI page: " + ui.body());

            try (KafkaProducer<byte[], byte[]> p =
                    new KafkaProducer<>(
                            pipeline.kafka().clientProperties(),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                p.send(
                                new ProducerRecord<>(
                                        pipeline.config().eventsTopic(),
                                        "garbage".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }

            Progress done = awaitDrained(pipeline, EVENTS + 1);
            assertEquals(1, done.invalid());
            Map<String, Double> m = awaitAll(pipeline);
            assertEquals(EVENTS + 1.0, m.get("eventsIn"));
            assertEquals(1.0, m.get("invalidEvents.UNDECODABLE"));
            assertTrue(
                    m.get("usersInWindowState") > 0 && m.get("usersInWindowState") <= 200,
                    m.toString());
            assertTrue(m.get("modelVersion") > 0, m.toString());
            assertTrue(m.get("catalogueSize") > 0 && m.get("catalogueSize") <= 600, m.toString());
            assertTrue(m.get("pos10") >= 0 && m.get("pos10") <= 1, m.toString());
            assertTrue(m.get("neg10") >= 0 && m.get("neg10") <= 1, m.toString());
            assertTrue(m.get("positiveLoss") > 0, m.toString());
            assertTrue(m.get("trainingStepMillis_median") > 0, m.toString());
            assertTrue(m.get("vectorsEmitted") > 0, m.toString());
            assertTrue(pipeline.metrics().completedCheckpoints() > 0, "no checkpoint completed");

            // the settings are shown as global job parameters
            HttpResponse<String> config =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    pipeline.webUrl()
                                                            + "/jobs/"
                                                            + pipeline.job().getJobID()
                                                            + "/config"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, config.statusCode());
            assertTrue(config.body().contains("\"batch-size\":\"64\""), config.body());
        }
    }

    private static Progress awaitDrained(LocalPipeline pipeline, long events) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Progress last = null;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            try {
                Progress p = pipeline.poll();
                if (p.eventsIn() >= events && p.drained() && p.sameCounts(last)) {
                    return p;
                }
                last = p;
            } catch (java.io.IOException notRunningYet) {
                // retry
            }
        }
        throw new AssertionError("not all events went through within " + WAIT + ": " + last);
    }

    /** Waits until every operator metric is published (the emission timer runs every second). */
    private static Map<String, Double> awaitAll(LocalPipeline pipeline) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Double> m = Map.of();
        while (System.nanoTime() < deadline) {
            m = pipeline.metrics().fetch(OPERATOR_METRICS);
            if (m.keySet().containsAll(OPERATOR_METRICS) && m.get("vectorsEmitted") > 0) {
                return m;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("metrics missing from the REST API: " + m);
    }
}
