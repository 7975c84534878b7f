package dev.deepmatch.it;

import static dev.deepmatch.job.LearnerMetrics.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.it.deploy.DeploymentFiles;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.sources.SourceSettings;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.LocalPipeline;
import dev.deepmatch.tools.local.Progress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
                    EVENTS_IN,
                    INVALID_EVENTS_TOTAL,
                    INVALID_EVENTS + ".UNDECODABLE",
                    USERS_IN_WINDOW_STATE,
                    EXAMPLES_IN,
                    EXAMPLES_PER_SECOND,
                    TRAINING_STEP_MILLIS + "_median",
                    POSITIVE_LOSS,
                    NEGATIVE_LOSS,
                    NEXT_ITEM_LOSS,
                    POS10,
                    NEG10,
                    POS10_TOTAL,
                    POS50_TOTAL,
                    POSITIVES_RANKED,
                    NEGATIVES_RANKED,
                    MODEL_VERSION,
                    CATALOGUE_SIZE,
                    VECTORS_EMITTED,
                    VECTOR_FRESHNESS_MILLIS + "_median");

    @Test
    void webUiAnswersAndMetricsAreReadableThroughTheRestApi() throws Exception {
        Settings settings =
                Settings.builder()
                        .set(SourceSettings.USERS, 200)
                        .set(SourceSettings.TRACKS, 600)
                        .set(SourceSettings.RATE, 0.0)
                        .set(SourceSettings.MAX_EVENTS, (long) EVENTS)
                        .set(PrequentialSettings.BATCH_SIZE, 64)
                        .set(JobSettings.EMISSION_INTERVAL, Duration.ofSeconds(1))
                        .set(JobSettings.CHECKPOINT_INTERVAL, Duration.ofSeconds(2))
                        .build();
        try (LocalPipeline pipeline =
                LocalPipeline.start(
                        new LocalPipeline.Plan(
                                settings, Map.of(), Map.of(), 0, 0, 2, true, false))) {
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> ui =
                    http.send(
                            HttpRequest.newBuilder(URI.create(pipeline.webUrl() + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ui.statusCode()).isEqualTo(200);
            assertThat(ui.body()).as("web UI page: %s", ui.body()).contains("<html");

            try (KafkaProducer<byte[], byte[]> p =
                    new KafkaProducer<>(
                            pipeline.kafka().clientProperties(),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                p.send(
                                new ProducerRecord<>(
                                        pipeline.config().get(JobSettings.EVENTS_TOPIC),
                                        "garbage".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }

            Progress done = awaitDrained(pipeline, EVENTS + 1);
            assertThat(done.invalid()).isEqualTo(1);
            Map<String, Double> m = awaitAll(pipeline);
            assertThat(m.get(EVENTS_IN)).isEqualTo(EVENTS + 1.0);
            assertThat(m.get(INVALID_EVENTS + ".UNDECODABLE")).isEqualTo(1.0);
            // one window per listener who played: the same generator says which
            assertThat(m.get(USERS_IN_WINDOW_STATE)).as("%s", m).isEqualTo(listenersIn(settings));
            assertThat(m.get(MODEL_VERSION)).as("%s", m).isNotNaN().isGreaterThan(0.0);
            assertThat(m.get(CATALOGUE_SIZE))
                    .as("%s", m)
                    .isGreaterThan(0.0)
                    .isLessThanOrEqualTo(600.0);
            // POS@N since start is hits over ranked positives: a whole number of hits, more
            // of them in the top 50 than in the top 10, and some already (600 tracks)
            double ranked = m.get(POSITIVES_RANKED);
            assertThat(ranked)
                    .as("%s", m)
                    .isGreaterThan(0.0)
                    .isLessThanOrEqualTo(m.get(EXAMPLES_IN).doubleValue());
            double hits10 = m.get(POS10_TOTAL) * ranked;
            assertThat(hits10).as("%s", m).isCloseTo(Math.rint(hits10), within(1e-6));
            assertThat(hits10).as("%s", m).isGreaterThanOrEqualTo(1.0);
            assertThat(m.get(POS50_TOTAL))
                    .as("%s", m)
                    .isGreaterThanOrEqualTo(m.get(POS10_TOTAL).doubleValue());
            assertThat(m.get(POSITIVE_LOSS)).as("%s", m).isNotNaN().isGreaterThan(0.0);
            assertThat(m.get(TRAINING_STEP_MILLIS + "_median"))
                    .as("%s", m)
                    .isNotNaN()
                    .isGreaterThan(0.0);
            assertThat(m.get(VECTORS_EMITTED)).as("%s", m).isNotNaN().isGreaterThan(0.0);
            assertThat(pipeline.metrics().completedCheckpoints())
                    .as("no checkpoint completed")
                    .isGreaterThan(0);

            // the same metrics for Prometheus, under the names the dashboard and alerts read
            String scraped =
                    http.send(
                                    HttpRequest.newBuilder(URI.create(pipeline.prometheusUrl()))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            assertThat(prometheusValue(scraped, "flink_taskmanager_job_task_operator_" + POS10))
                    .isCloseTo(m.get(POS10), within(0.05))
                    .isPositive();
            assertThat(
                            prometheusValue(
                                    scraped,
                                    "flink_taskmanager_job_task_operator_" + MODEL_VERSION))
                    .isPositive();
            assertThat(scraped)
                    .contains(
                            "flink_taskmanager_job_task_operator_" + VECTOR_FRESHNESS_MILLIS + "{")
                    .contains("quantile=\"0.99\"");
            Set<String> used = new java.util.LinkedHashSet<>();
            used.addAll(DeploymentFiles.referencedMetrics(DeploymentFiles.dashboardExpressions()));
            used.addAll(DeploymentFiles.referencedMetrics(DeploymentFiles.ruleExpressions()));
            for (String name : used) {
                // a name matched by a regex (ending in _) must begin some published name
                assertThat(scraped)
                        .as("the dashboard or an alert reads %s", name)
                        .containsPattern("(?m)^" + name + (name.endsWith("_") ? "" : "[{ ]"));
            }

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
            assertThat(config.statusCode()).isEqualTo(200);
            assertThat(config.body()).as("%s", config.body()).contains("\"batch-size\":\"64\"");
        }
    }

    /** The first sample of a metric in Prometheus' text format. */
    private static double prometheusValue(String scraped, String name) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$")
                        .matcher(scraped);
        assertThat(m.find()).as("%s in the scrape", name).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Distinct listeners among the plays the pipeline's generator sends. */
    private static double listenersIn(Settings settings) {
        ListenerGenerator generator = new ListenerGenerator(SourceSettings.generator(settings));
        Set<String> users = new java.util.HashSet<>();
        for (long i = 0; i < SourceSettings.maxEvents(settings); i++) {
            PlaybackEvent e = generator.next();
            users.add(e.getUserId());
        }
        return users.size();
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
            if (m.keySet().containsAll(OPERATOR_METRICS) && m.get(VECTORS_EMITTED) > 0) {
                return m;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("metrics missing from the REST API: " + m);
    }
}
