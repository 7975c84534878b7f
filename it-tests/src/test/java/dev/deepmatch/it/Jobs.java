package dev.deepmatch.it;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Submits the production job, as its command line defines it, to the test's MiniCluster. */
final class Jobs {

    private Jobs() {}

    /**
     * Settings of a test's job on the topics {@code <prefix>-events}, {@code <prefix>-events-dlq},
     * {@code <prefix>-vectors} and {@code <prefix>-deltas} (the caller creates them): read from the
     * earliest offset, 1 s checkpoints and emissions, batches of 64 or 200 ms, parallelism 2. A
     * test puts its own on top.
     */
    static Map<String, String> settings(String bootstrapServers, String prefix, Path checkpoints) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("bootstrap-servers", bootstrapServers);
        s.put("events-topic", prefix + "-events");
        s.put("dead-letter-topic", prefix + "-events-dlq");
        s.put("vectors-topic", prefix + "-vectors");
        s.put("user-vectors-topic", prefix + "-user-vectors");
        s.put("deltas-topic", prefix + "-deltas");
        s.put("starting-offsets", "earliest");
        s.put("checkpoint-interval", "1 s");
        s.put("checkpoint-dir", checkpoints.toUri().toString());
        s.put("emission-interval", "1 s");
        s.put("batch-size", "64");
        s.put("batch-max-delay", "200 ms");
        s.put("parallelism", "2");
        s.put("transactional-id-prefix", "it-" + prefix);
        return s;
    }

    /** Creates the four topics of {@link #settings} for this prefix. */
    static void createTopics(EmbeddedKafka kafka, String prefix) {
        kafka.createTopic(prefix + "-events", 2);
        kafka.createTopic(prefix + "-events-dlq", 1);
        kafka.createCompactedTopic(prefix + "-vectors", 1);
        kafka.createCompactedTopic(prefix + "-user-vectors", 1);
        kafka.createTopic(prefix + "-deltas", 1);
    }

    /** The job with these settings ({@code name -> value}), restored from a checkpoint if given. */
    static JobClient submit(Map<String, String> settings, Path restoreFrom) throws Exception {
        return define(settings, restoreFrom).executeAsync(LearnerJob.JOB_NAME);
    }

    /** The job defined in an environment, not yet executed (its stream graph, for a cluster). */
    static StreamExecutionEnvironment define(Map<String, String> settings, Path restoreFrom)
            throws Exception {
        return define(settings, restoreFrom, LearnerJob.Parts::kafka);
    }

    /**
     * {@link #define} with the parts the test makes from the job's settings, e.g. {@code config ->
     * LearnerJob.Parts.kafka(config).withTrainer(...)}: the production graph around them.
     */
    static StreamExecutionEnvironment define(
            Map<String, String> settings,
            Path restoreFrom,
            Function<JobConfig, LearnerJob.Parts> parts)
            throws Exception {
        List<String> args = new ArrayList<>();
        settings.forEach(
                (name, value) -> {
                    args.add("--" + name);
                    args.add(value);
                });
        JobConfig config = JobConfig.fromArgs(args.toArray(new String[0]));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LearnerJob.configureEnvironment(env, config);
        if (restoreFrom != null) {
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
            env.configure(restore);
        }
        LearnerJob.defineWorkflow(env, config, parts.apply(config));
        return env;
    }

    /**
     * Plays of a generator sent to {@code topic} (keyed by user) at {@code rate} a second, on a
     * thread of their own, while {@code more} holds for the number sent so far; each play's item is
     * added to {@code items}. Completes with the number sent once all are in the broker.
     */
    static CompletableFuture<Integer> produce(
            EmbeddedKafka kafka,
            String topic,
            GeneratorConfig generator,
            int rate,
            IntPredicate more,
            Set<String> items) {
        CompletableFuture<Integer> sent = new CompletableFuture<>();
        Thread producer =
                new Thread(
                        () -> {
                            try {
                                sent.complete(
                                        sendGenerated(kafka, topic, generator, rate, more, items));
                            } catch (Throwable t) {
                                sent.completeExceptionally(t);
                            }
                        },
                        topic + "-producer");
        producer.setDaemon(true);
        producer.start();
        return sent;
    }

    private static int sendGenerated(
            EmbeddedKafka kafka,
            String topic,
            GeneratorConfig config,
            int rate,
            IntPredicate more,
            Set<String> items)
            throws Exception {
        ListenerGenerator generator = new ListenerGenerator(config);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            long start = System.nanoTime();
            int i = 0;
            for (; more.test(i); i++) {
                PlaybackEvent e = generator.next();
                synchronized (items) {
                    items.add(e.getItemId());
                }
                acks.add(send(producer, topic, e));
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(); // a play the broker refused fails the test, not its counts
            }
            return i;
        }
    }

    /** Polls the job's metrics until {@code done} holds for them; fails after {@code wait}. */
    /**
     * Waits until the job has read {@code sent} plays, accepted or dropped each as late, and
     * trained on every example; returns the counters a failure test checks: eventsIn,
     * playsAccepted, latePlaysDropped, duplicatePlaysDropped, pendingExamples, modelVersion.
     */
    static Map<String, Double> awaitAllPlaysIn(RestMetrics metrics, double sent, Duration wait)
            throws Exception {
        return awaitMetrics(
                metrics,
                Set.of(
                        "eventsIn",
                        "playsAccepted",
                        "latePlaysDropped",
                        "duplicatePlaysDropped",
                        "pendingExamples",
                        "modelVersion"),
                v ->
                        v.get("eventsIn") >= sent
                                && v.get("playsAccepted") + v.get("latePlaysDropped") >= sent
                                && v.get("pendingExamples") == 0,
                wait);
    }

    static Map<String, Double> awaitMetrics(
            RestMetrics metrics,
            Set<String> names,
            Predicate<Map<String, Double>> done,
            Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        Map<String, Double> values = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                values = metrics.fetch(names);
                if (values.keySet().containsAll(names) && done.test(values)) {
                    return values;
                }
            } catch (IOException notYetRunning) {
                // the REST API knows the job once it is scheduled
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job did not get there within " + wait + "; metrics " + values);
    }

    static void await(BooleanSupplier condition, String what, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    static void cancel(JobClient job, Duration wait) throws Exception {
        job.cancel().get(wait.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        await(
                () -> {
                    try {
                        return job.getJobStatus().get().isGloballyTerminalState();
                    } catch (Exception e) {
                        return true; // the cluster no longer knows the job
                    }
                },
                "job " + job.getJobID() + " to end",
                wait);
    }

    /**
     * A started MiniCluster of {@code taskManagers} x {@code slots} with a REST endpoint on a free
     * port and metrics fetched every half second, on top of {@code conf}.
     */
    static org.apache.flink.runtime.minicluster.MiniCluster miniCluster(
            int taskManagers, int slots, org.apache.flink.configuration.Configuration conf)
            throws Exception {
        conf.set(
                org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL,
                Duration.ofMillis(500));
        conf.set(org.apache.flink.configuration.RestOptions.PORT, 0);
        var cluster =
                new org.apache.flink.runtime.minicluster.MiniCluster(
                        new org.apache.flink.runtime.minicluster.MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(taskManagers)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return cluster;
    }

    /** {@link RestMetrics#completedCheckpoints}, or -1 while the job restarts. */
    static long completed(RestMetrics metrics) {
        try {
            return metrics.completedCheckpoints();
        } catch (IOException restarting) {
            return -1;
        }
    }

    /**
     * A cluster configuration whose jobs restart again and again after {@code delay}, as a
     * production restart strategy from configuration does: for the tests that fail a job on
     * purpose.
     */
    static Configuration restartingAfter(Duration delay) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, delay);
        return conf;
    }

    /** The job's metrics through the cluster's REST API. */
    static RestMetrics metrics(MiniCluster cluster, JobID job) throws Exception {
        return new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());
    }

    /** Stops the job with a (canonical) savepoint under {@code dir}; returns the savepoint. */
    static Path stopWithSavepoint(MiniCluster cluster, JobID job, Path dir) throws Exception {
        return Path.of(
                URI.create(
                        cluster.stopWithSavepoint(
                                        job,
                                        dir.toUri().toString(),
                                        false,
                                        SavepointFormatType.CANONICAL)
                                .get()));
    }

    /** Takes a (canonical) savepoint under {@code dir} of the running job; returns it. */
    static Path savepoint(MiniCluster cluster, JobID job, Path dir) throws Exception {
        return Path.of(
                URI.create(
                        cluster.triggerSavepoint(
                                        job,
                                        dir.toUri().toString(),
                                        false,
                                        SavepointFormatType.CANONICAL)
                                .get()));
    }

    /** A producer of the events topic (bytes in, as a device writes them). */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(
                kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one play as a device does: keyed by its listener, single-object Avro. */
    static Future<RecordMetadata> send(
            KafkaProducer<byte[], byte[]> producer, String topic, PlaybackEvent play) {
        return producer.send(
                new ProducerRecord<>(
                        topic,
                        play.getUserId().getBytes(StandardCharsets.UTF_8),
                        WireCodec.PLAYBACK_EVENT.encode(play)));
    }

    /** {@link RestMetrics#jobMetric}, or -1 while the job restarts. */
    static double jobMetric(RestMetrics metrics, String name) {
        try {
            return metrics.jobMetric(name);
        } catch (IOException restarting) {
            return -1;
        }
    }

    /** One operator metric ({@link RestMetrics#fetch}), or NaN while the job restarts. */
    static double metric(RestMetrics metrics, String name) {
        try {
            return metrics.fetch(Set.of(name)).getOrDefault(name, Double.NaN);
        } catch (IOException restarting) {
            return Double.NaN;
        }
    }

    /** {@link RestMetrics#range}, or null while the job restarts. */
    static double[] range(RestMetrics metrics, String name) {
        try {
            return metrics.range(name);
        } catch (IOException restarting) {
            return null;
        }
    }
}
