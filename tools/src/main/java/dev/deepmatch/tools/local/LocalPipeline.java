package dev.deepmatch.tools.local;

import dev.deepmatch.client.PlaybackEventProducer;
import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SourceSettings;
import dev.deepmatch.sources.format.BadRows;
import dev.deepmatch.tools.produce.PlaybackProducer;
import dev.deepmatch.tools.produce.ProduceMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code bin/learner local} runs in one JVM: an embedded Kafka broker with the job's
 * topics, a producer thread feeding it, and the learner job on a local Flink cluster whose REST API
 * (and web UI) serves its metrics. Closing stops all of it and removes its working directory.
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What to run.
     *
     * @param settings the source's, the job's and the model's settings; {@code bootstrap-servers}
     *     is set to the embedded broker, and {@code checkpoint-dir} defaults to the working
     *     directory
     * @param kafka {@code --kafka.*} properties for the job's clients
     * @param flink {@code --flink.*} entries for the job's configuration
     * @param webPort REST/web UI port on localhost; 0 picks a free one
     * @param prometheusPort port of the Prometheus endpoint of the job's metrics on localhost; 0
     *     picks a free one, -1 serves none
     * @param partitions partitions of the playback topic
     * @param produce whether to start the producer (a test may produce itself)
     * @param preload produce every event before the job starts (benchmarks: the producer then
     *     neither limits nor competes with the pipeline); needs a bounded source
     */
    public record Plan(
            Settings settings,
            Map<String, String> kafka,
            Map<String, String> flink,
            int webPort,
            int prometheusPort,
            int partitions,
            boolean produce,
            boolean preload) {

        public Plan {
            if (preload && !SourceSettings.bounded(settings)) {
                throw new IllegalArgumentException(
                        "preloading needs a bounded source: a file or --max-events");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
            }
        }
    }

    private final Path workDir;
    private final EmbeddedKafka kafka;
    private final JobConfig config;
    private final JobClient job;
    private final int webPort;
    private final int prometheusPort;
    private final RestMetrics metrics;
    private final PlaybackProducer producer;
    private final Thread producerThread;
    private final AtomicReference<Throwable> producerFailure;
    private final long startNanos;
    private boolean closed;

    private LocalPipeline(
            Path workDir,
            EmbeddedKafka kafka,
            JobConfig config,
            JobClient job,
            int webPort,
            int prometheusPort,
            PlaybackProducer producer,
            Thread producerThread,
            AtomicReference<Throwable> producerFailure,
            long startNanos) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.config = config;
        this.job = job;
        this.webPort = webPort;
        this.prometheusPort = prometheusPort;
        this.metrics = new RestMetrics(webUrl(), job.getJobID().toHexString());
        this.producer = producer;
        this.producerThread = producerThread;
        this.producerFailure = producerFailure;
        this.startNanos = startNanos;
    }

    /**
     * Starts broker, topics, job and producer; on any failure stops what was started. Settings that
     * cannot work (a missing file, a bad combination) fail first, before anything starts.
     */
    public static LocalPipeline start(Plan plan) throws Exception {
        return start(plan, () -> false);
    }

    /**
     * As {@link #start(Plan)}, stopping at the next step (with {@link InterruptedException}, after
     * stopping what it started and removing its files) once {@code stopRequested} holds or the
     * thread is interrupted: Ctrl-C during start-up.
     */
    public static LocalPipeline start(Plan plan, BooleanSupplier stopRequested) throws Exception {
        Runnable step =
                () -> {
                    if (stopRequested.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                        throw new StartAborted();
                    }
                };
        SourceSettings.check(plan.settings());
        JobConfig.of(plan.settings(), plan.kafka(), plan.flink());
        EventSource source =
                plan.produce()
                        ? SourceSettings.open(plan.settings(), new BadRows(System.err, 20))
                        : null;
        Path workDir = Files.createTempDirectory("deepmatch-local-");
        EmbeddedKafka kafka = null;
        JobClient job = null;
        try {
            kafka = EmbeddedKafka.builder().logDir(workDir.resolve("kafka")).start();
            step.run();

            Settings.Builder settings =
                    plan.settings().toBuilder()
                            .set(JobSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            if (plan.settings().get(JobSettings.CHECKPOINT_DIR) == null) {
                settings.set(
                        JobSettings.CHECKPOINT_DIR,
                        workDir.resolve("checkpoints").toUri().toString());
            }
            JobConfig config = JobConfig.of(settings.build(), plan.kafka(), plan.flink());
            int webPort = plan.webPort() == 0 ? freePort() : plan.webPort();
            Configuration flinkConf = new Configuration();
            flinkConf.set(RestOptions.PORT, webPort);
            flinkConf.set(RestOptions.ADDRESS, "localhost");
            flinkConf.set(RestOptions.BIND_ADDRESS, "localhost");
            // The local cluster's own files (RocksDB, blobs, the web UI's uploads) under the
            // working
            // directory too, so that stopping removes them with the broker's data.
            flinkConf.set(CoreOptions.TMP_DIRS, workDir.resolve("flink-tmp").toString());
            flinkConf.set(
                    BlobServerOptions.STORAGE_DIRECTORY, workDir.resolve("flink-blobs").toString());
            flinkConf.set(WebOptions.TMP_DIR, workDir.resolve("flink-web").toString());
            // progress lines read the metrics through REST: keep them fresh
            flinkConf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            int prometheusPort = plan.prometheusPort() == 0 ? freePort() : plan.prometheusPort();
            if (prometheusPort > 0) {
                // The same reporter a cluster runs (docs/DEPLOY.md): the metrics' names in
                // Prometheus are those the dashboards and alert rules use.
                flinkConf.setString(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
                flinkConf.setString("metrics.reporter.prom.port", String.valueOf(prometheusPort));
            }

            String eventsTopic = config.get(JobSettings.EVENTS_TOPIC);
            // Stamped by the broker on arrival, where the trainer's freshness is measured from.
            kafka.createTopic(
                    eventsTopic,
                    plan.partitions(),
                    Map.of(
                            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                            TimestampType.LOG_APPEND_TIME.name));
            kafka.createTopic(config.get(JobSettings.DEAD_LETTER_TOPIC), 1);
            kafka.createCompactedTopic(config.get(JobSettings.VECTORS_TOPIC), 1);
            kafka.createCompactedTopic(config.get(JobSettings.USER_VECTORS_TOPIC), 1);
            kafka.createTopic(config.get(JobSettings.DELTAS_TOPIC), 1);
            step.run();

            if (source != null && plan.preload()) {
                try (EventSource events = source) {
                    preload(events, plan.settings(), kafka, eventsTopic);
                }
                source = null;
            }

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConf);
            LearnerJob.configureEnvironment(env, config);
            LearnerJob.defineKafkaWorkflow(env, config);
            long startNanos = System.nanoTime();
            job = env.executeAsync(LearnerJob.JOB_NAME);
            step.run();

            PlaybackProducer producer = null;
            Thread producerThread = null;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            LocalPipeline pipeline;
            if (source != null) {
                Properties props = new Properties();
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                PlaybackEventProducer kafkaProducer =
                        ProduceMain.createProducer(props, eventsTopic);
                producer = producer(kafkaProducer, plan.settings(), false);
                producerThread = producerThread(producer, source, kafkaProducer, failure);
                source = null; // the producer thread closes it
            }
            pipeline =
                    new LocalPipeline(
                            workDir,
                            kafka,
                            config,
                            job,
                            webPort,
                            prometheusPort,
                            producer,
                            producerThread,
                            failure,
                            startNanos);
            step.run();
            if (producerThread != null) {
                producerThread.start();
            }
            return pipeline;
        } catch (Exception | Error e) {
            if (source != null) {
                try {
                    source.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (kafka != null) {
                kafka.close();
            }
            deleteRecursively(workDir);
            if (e instanceof StartAborted || stopRequested.getAsBoolean()) {
                InterruptedException stopped = new InterruptedException("stopped during start-up");
                stopped.addSuppressed(e);
                throw stopped;
            }
            throw e;
        }
    }

    /** Ctrl-C between two steps of the start. */
    private static final class StartAborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartAborted() {
            super("stop requested during start-up", null, false, false);
        }
    }

    /** A producer of the source's plays, paced as the settings say unless preloading. */
    private static PlaybackProducer producer(
            PlaybackEventProducer kafka, Settings s, boolean asFastAsPossible) {
        return new PlaybackProducer(
                kafka,
                asFastAsPossible ? 0 : SourceSettings.rate(s),
                SourceSettings.maxEvents(s),
                s.get(SourceSettings.EVENT_TIME));
    }

    private static void preload(EventSource events, Settings s, EmbeddedKafka kafka, String topic)
            throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (PlaybackEventProducer kafkaProducer = ProduceMain.createProducer(props, topic)) {
            producer(kafkaProducer, s, true).run(events);
        }
    }

    private static Thread producerThread(
            PlaybackProducer producer,
            EventSource source,
            PlaybackEventProducer kafkaProducer,
            AtomicReference<Throwable> failure) {
        Thread t =
                new Thread(
                        () -> {
                            try (EventSource events = source;
                                    kafkaProducer) {
                                producer.run(events);
                            } catch (Exception e) {
                                failure.set(e);
                                LOG.error("the producer failed", e);
                            }
                        },
                        "playback-producer");
        t.setDaemon(true);
        return t;
    }

    /** The producer's error, if it failed (e.g. an unreadable file). */
    public Throwable producerFailure() {
        return producerFailure.get();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public JobConfig config() {
        return config;
    }

    public JobClient job() {
        return job;
    }

    public String webUrl() {
        return "http://localhost:" + webPort;
    }

    /** The job's metrics in Prometheus' text format; null when none is served. */
    public String prometheusUrl() {
        return prometheusPort > 0 ? "http://localhost:" + prometheusPort + "/metrics" : null;
    }

    public RestMetrics metrics() {
        return metrics;
    }

    /** Null when started without a producer. */
    public PlaybackProducer producer() {
        return producer;
    }

    /** Whether the producer has stopped on its own (source exhausted, limit reached, failed). */
    public boolean producerFinished() {
        return producer != null && (producer.finished() || producerFailure.get() != null);
    }

    /** Events the producer got acknowledged so far (0 without a producer). */
    public long produced() {
        return producer == null ? 0 : producer.acked();
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The job's metrics now, through the REST API. */
    public Progress poll() throws IOException {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        return Progress.of(millis, metrics.fetch(Progress.METRICS));
    }

    public JobStatus jobStatus() throws Exception {
        return job.getJobStatus().get(10, TimeUnit.SECONDS);
    }

    /**
     * Stops the producer, then the job with a savepoint (so the last vectors are committed to the
     * exactly-once topic), falling back to cancelling it, then the broker; removes the working
     * directory.
     */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Like {@link #close()}, but cancels the job straight away: for Ctrl-C, where a savepoint would
     * first have to get through every record still buffered in a backpressured job.
     */
    public void cancelAndClose() {
        close(false);
    }

    private synchronized void close(boolean withSavepoint) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (producer != null) {
                producer.stop();
                try {
                    producerThread.join(STOP_TIMEOUT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopJob(withSavepoint);
        } finally {
            try {
                kafka.close();
            } finally {
                deleteRecursively(workDir);
            }
        }
    }

    private void stopJob(boolean withSavepoint) {
        try {
            if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                return;
            }
            if (withSavepoint) {
                String savepoint =
                        job.stopWithSavepoint(
                                        false,
                                        workDir.resolve("savepoints").toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("job stopped with savepoint {}", savepoint);
            } else {
                job.cancel().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            LOG.warn("stopping the job failed ({}), cancelling it", e.toString());
            try {
                job.cancel().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception cancelFailure) {
                LOG.warn("cancelling the job failed: {}", cancelFailure.toString());
            }
        }
        try {
            // the local cluster shuts down once the job has ended
            job.getJobExecutionResult().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ended) {
            // a cancelled job ends "exceptionally"; nothing left to do
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}", dir, e);
        }
    }
}
