package dev.deepmatch.tools.local;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.recall.service.RecallService;
import dev.deepmatch.recall.service.RecallSettings;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.SourceSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;

/**
 * {@code bin/learner local}: the whole learner on this machine. A Kafka broker in process, the
 * job's topics, a producer replaying a file or running the generator, and the job on a local Flink
 * cluster with its web UI on {@code localhost:8081}. Prints a progress line every few seconds; with
 * {@code --max-events N} (or a file) it stops once every event went through and prints the replay
 * command's result line plus {@code vectors=N}. Ctrl-C stops it cleanly.
 */
public final class LocalMain {

    static final Setting<Integer> WEB_PORT =
            Setting.ofInt("web-port", 8081)
                    .range(0, 65_535)
                    .describedAs("web UI and REST API on localhost (0: any free port)");

    static final Setting<Integer> PROMETHEUS_PORT =
            Setting.ofInt("prometheus-port", 9249)
                    .range(-1, 65_535)
                    .describedAs(
                            "the job's metrics for Prometheus on localhost:P/metrics (0: any free"
                                    + " port, -1: none)");

    static final Setting<Integer> RECALL_PORT =
            Setting.ofInt("recall-port", 8090)
                    .range(-1, 65_535)
                    .describedAs(
                            "the recall service and its page on localhost (0: any free port; -1:"
                                    + " none)");

    static final Setting<Integer> PARTITIONS =
            Setting.ofInt("partitions", 2)
                    .range(1, 1000)
                    .describedAs("partitions of the events topic");

    static final Setting<Duration> PROGRESS_INTERVAL =
            Setting.ofDuration("progress-interval", Duration.ofSeconds(5))
                    .range(Duration.ofSeconds(1), Duration.ofHours(1))
                    .describedAs("time between progress lines");

    public static final CommandLine COMMAND =
            JobConfig.addTo(
                            CommandLine.builder(
                                            "local",
                                            "A Kafka broker, a producer and the learner job on a"
                                                    + " local Flink cluster, all on this machine."
                                                    + " A bounded run (a file, or --max-events)"
                                                    + " ends with the replay's result line plus"
                                                    + " vectors=N; Ctrl-C stops any run.")
                                    .group(
                                            "local",
                                            List.of(
                                                    WEB_PORT,
                                                    PROMETHEUS_PORT,
                                                    RECALL_PORT,
                                                    PARTITIONS,
                                                    PROGRESS_INTERVAL))
                                    .group("plays", SourceSettings.INPUT)
                                    .group("producer", SourceSettings.PACING))
                    // checkpoints (and so committed vectors) every 10 s instead of 30 s
                    .override(JobSettings.CHECKPOINT_INTERVAL.withDefault(Duration.ofSeconds(10)))
                    .build();

    /** Exit code after Ctrl-C, as shells report SIGINT. */
    static final int INTERRUPTED = 130;

    private LocalMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    /**
     * Parses the command line and runs until done or interrupted.
     *
     * @return the process exit code: 0 done, 1 failed, 2 bad command line, 130 interrupted
     */
    public static int run(String[] argv) throws Exception {
        Options options;
        try {
            options = Options.parse(argv);
        } catch (UsageException e) {
            System.err.println("local: " + e.getMessage());
            System.err.println("local: --help lists the settings");
            return 2;
        }
        if (options == null) {
            System.out.print(COMMAND.usage());
            return 0;
        }
        return run(options);
    }

    /** Runs until done or interrupted; returns the process exit code. */
    static int run(Options options) throws Exception {
        Settings source = options.pipeline().settings();
        // The hook is in place before anything starts: Ctrl-C during start-up interrupts the start,
        // which stops what it had started and removes its files.
        Thread main = Thread.currentThread();
        CountDownLatch cleanedUp = new CountDownLatch(1);
        // Also a flag: a library may swallow the interrupt (the broker's start does).
        AtomicBoolean stopRequested = new AtomicBoolean();
        Thread hook =
                new Thread(
                        () -> {
                            // Ctrl-C: let the main thread print its last line and stop everything
                            stopRequested.set(true);
                            main.interrupt();
                            try {
                                cleanedUp.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException ignored) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // Only now: a Ctrl-C after this line finds the hook in place.
        System.err.println(
                "local: starting Kafka, the job and the producer (" + describe(source) + ")");
        LocalPipeline pipeline;
        try {
            pipeline = LocalPipeline.start(options.pipeline(), stopRequested::get);
        } catch (IllegalArgumentException e) {
            System.err.println("local: " + e.getMessage());
            release(hook, cleanedUp);
            return 2;
        } catch (InterruptedException e) {
            System.err.println("local: stopped during start-up; everything started is stopped");
            release(hook, cleanedUp);
            return INTERRUPTED;
        } catch (Exception | Error e) {
            // Print before the release: once the hook returns the JVM may halt at any instant.
            if (stopRequested.get()) {
                // The interrupt broke a step of the start (a channel closed by it, say): a stop.
                System.err.println(
                        "local: stopped during start-up; everything started is stopped ("
                                + e
                                + ")");
                release(hook, cleanedUp);
                return INTERRUPTED;
            }
            release(hook, cleanedUp);
            throw e;
        }
        boolean interrupted = false;
        RecallService recall = null;
        try {
            System.err.printf(
                    "local: Kafka on %s (topics %s, %s, %s, %s, %s); web UI %s; job %s%n",
                    pipeline.kafka().bootstrapServers(),
                    pipeline.config().get(JobSettings.EVENTS_TOPIC),
                    pipeline.config().get(JobSettings.DEAD_LETTER_TOPIC),
                    pipeline.config().get(JobSettings.VECTORS_TOPIC),
                    pipeline.config().get(JobSettings.USER_VECTORS_TOPIC),
                    pipeline.config().get(JobSettings.DELTAS_TOPIC),
                    pipeline.webUrl(),
                    pipeline.job().getJobID());
            if (pipeline.prometheusUrl() != null) {
                System.err.println("local: Prometheus metrics on " + pipeline.prometheusUrl());
            }
            if (options.recallPort() >= 0) {
                recall = startRecall(pipeline, options.recallPort());
                System.err.println(
                        "local: recall service and its page on "
                                + recall.address()
                                + " (GET /v1/recall?user=U&k=50, /v1/status)");
            }
            int exit = watch(pipeline, source, options.progressMillis(), stopRequested);
            interrupted = exit == INTERRUPTED;
            return exit;
        } finally {
            if (recall != null) {
                recall.close();
            }
            try {
                if (interrupted) {
                    pipeline.cancelAndClose();
                } else {
                    pipeline.close();
                }
            } finally {
                release(hook, cleanedUp);
            }
        }
    }

    /** The recall service on the pipeline's topics, its learning curve from the job's REST API. */
    static RecallService startRecall(LocalPipeline pipeline, int port) throws java.io.IOException {
        JobConfig c = pipeline.config();
        Settings s =
                Settings.builder()
                        .set(RecallSettings.BOOTSTRAP_SERVERS, pipeline.kafka().bootstrapServers())
                        .set(RecallSettings.VECTORS_TOPIC, c.get(JobSettings.VECTORS_TOPIC))
                        .set(
                                RecallSettings.USER_VECTORS_TOPIC,
                                c.get(JobSettings.USER_VECTORS_TOPIC))
                        .set(RecallSettings.PORT, port)
                        .set(RecallSettings.FLINK_REST, pipeline.webUrl())
                        .build();
        Map<String, String> kafka = new java.util.HashMap<>();
        c.kafkaProperties().forEach((k, v) -> kafka.put(k.toString(), v.toString()));
        return RecallService.start(s, kafka);
    }

    /**
     * Lets a running shutdown hook return (the JVM then halts once the other hooks are done: print
     * nothing after this on a Ctrl-C) or removes the hook.
     */
    private static void release(Thread hook, CountDownLatch cleanedUp) {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waits for cleanedUp, which is now down
        }
    }

    /** Prints progress until every event is through (bounded runs), Ctrl-C, or a failure. */
    private static int watch(
            LocalPipeline pipeline, Settings source, long progressMillis, AtomicBoolean stop)
            throws Exception {
        boolean bounded = SourceSettings.bounded(source);
        Progress printed = null;
        Progress previous = null;
        Progress current = null;
        long nextPrint = progressMillis;
        double restarts = 0;
        LagWatch lag = new LagWatch();
        try {
            while (true) {
                Thread.sleep(1_000);
                if (stop.get()) {
                    throw new InterruptedException("stop requested");
                }
                try {
                    current = pipeline.poll();
                } catch (java.io.IOException e) {
                    // the REST API answers only once the job is running
                    continue;
                }
                if (current.millis() >= nextPrint) {
                    System.out.println(current.line(printed, pipeline.produced()));
                    printed = current;
                    nextPrint = current.millis() + progressMillis;
                    String behind =
                            lag.observe(
                                    Math.max(0, pipeline.produced() - current.eventsIn()),
                                    () -> {
                                        try {
                                            return pipeline.metrics().busiest();
                                        } catch (java.io.IOException e) {
                                            return List.of();
                                        }
                                    });
                    if (behind != null) {
                        System.out.println(behind);
                    }
                }
                restarts = reportRestarts(pipeline, restarts);
                if (pipeline.producerFailure() != null) {
                    System.err.println("local: the producer failed: " + pipeline.producerFailure());
                    return 1;
                }
                JobStatus status = pipeline.jobStatus();
                if (status.isGloballyTerminalState()) {
                    System.err.println("local: the job ended unexpectedly: " + status);
                    return 1;
                }
                if (bounded && isComplete(pipeline, source, current, previous)) {
                    System.out.println(current.finalLine(current.millis() / 1000.0));
                    return 0;
                }
                previous = current;
            }
        } catch (InterruptedException e) {
            System.err.println("local: stopping");
            if (current != null) {
                System.out.println(current.finalLine(current.millis() / 1000.0));
            }
            return INTERRUPTED;
        }
    }

    /**
     * Says when the job has restarted since the last look, and why (the newest failure from the
     * REST API), instead of the progress lines just stalling; returns the restarts seen.
     */
    private static double reportRestarts(LocalPipeline pipeline, double seen) {
        try {
            double now = pipeline.metrics().jobMetric("numRestarts");
            if (now > seen) {
                System.err.printf(
                        "local: the job restarted (%.0f so far) after: %s%n",
                        now, pipeline.metrics().latestFailure());
                return now;
            }
        } catch (java.io.IOException restarting) {
            // asked again next time
        }
        return seen;
    }

    /**
     * All events the run is about have been counted in, and everything they caused has gone through
     * the trainer (checked on two readings in a row, as metrics of different operators are read at
     * slightly different times).
     */
    static boolean isComplete(
            LocalPipeline pipeline, Settings source, Progress current, Progress previous) {
        long max = SourceSettings.maxEvents(source);
        long target = pipeline.producerFinished() ? Math.min(pipeline.produced(), max) : max;
        return current.eventsIn() >= target && current.drained() && current.sameCounts(previous);
    }

    private static String describe(Settings source) {
        String what =
                SourceSettings.fromFile(source)
                        ? SourceSettings.FORMAT.format(source.get(SourceSettings.FORMAT))
                                + " file "
                                + source.get(SourceSettings.EVENTS)
                        : "generator, seed " + source.get(SourceSettings.GENERATOR_SEED);
        double rate = SourceSettings.rate(source);
        return what + ", " + (rate == 0 ? "as fast as possible" : rate + " events/s");
    }

    /** Fails at start, naming the setting, rather than deep inside the cluster's start-up. */
    static void requireFreePort(Setting<Integer> setting, int port) {
        if (port <= 0) {
            return;
        }
        try (java.net.ServerSocket probe =
                new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("localhost"))) {
            probe.setReuseAddress(true);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    setting
                            + " "
                            + port
                            + " is in use on localhost; choose another with "
                            + setting
                            + " P (0 = any free port)");
        }
    }

    /** Parsed command line. */
    record Options(LocalPipeline.Plan pipeline, long progressMillis, int recallPort) {

        /** Null when the command line asks for help. */
        static Options parse(String[] argv) throws UsageException {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                return null;
            }
            Settings s = parsed.settings();
            if (s.isSet(JobSettings.BOOTSTRAP_SERVERS)) {
                throw new UsageException(
                        "local runs its own Kafka broker; for an external one use"
                                + " bin/learner produce and the production job");
            }
            try {
                requireFreePort(WEB_PORT, s.get(WEB_PORT));
                requireFreePort(PROMETHEUS_PORT, s.get(PROMETHEUS_PORT));
                requireFreePort(RECALL_PORT, s.get(RECALL_PORT));
                // before anything starts, naming the setting
                SourceSettings.check(s);
                JobConfig.of(parsed);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return new Options(
                    new LocalPipeline.Plan(
                            s,
                            parsed.prefixed(JobSettings.KAFKA_PREFIX),
                            parsed.prefixed(JobSettings.FLINK_PREFIX),
                            s.get(WEB_PORT),
                            s.get(PROMETHEUS_PORT),
                            s.get(PARTITIONS),
                            true,
                            false),
                    s.get(PROGRESS_INTERVAL).toMillis(),
                    s.get(RECALL_PORT));
        }
    }
}
