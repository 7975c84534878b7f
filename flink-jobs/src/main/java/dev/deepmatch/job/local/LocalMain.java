package dev.deepmatch.job.local;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.job.produce.SourceOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;

/**
 * {@code bin/learner local}: the whole learner on this machine. A Kafka broker in process, the
 * job's topics, a producer replaying a file or running the generator, and the job on a local Flink
 * cluster with its web UI on {@code localhost:8081}. Prints a progress line every few seconds; with
 * {@code --max-events N} (or a file) it stops once every event went through and prints the replay
 * command's result line plus {@code vectors=N}. Ctrl-C stops it cleanly.
 */
public final class LocalMain {

    static final String USAGE =
            """
            usage: bin/learner local [options] [job settings]
              --web-port P         web UI and REST API on localhost:P (default 8081; 0 = any free)
              --partitions N       partitions of the playback topic (default 2)
              --progress-interval S  seconds between progress lines (default 5)
            """
                    + SourceOptions.USAGE
                    + """

            Any other --name value is a job setting (as for the production job), e.g.
              --batch-size 256 --emission-interval "10 s" --training-enabled false
              --parallelism 2 --neg-weight 0.1
            """;

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
            CliArgs args = CliArgs.parse(argv, Set.of("generator", "help"));
            if (args.flag("help")) {
                System.out.println(USAGE);
                System.out.println("job settings: " + String.join(", ", JobConfig.knownSettings()));
                return 0;
            }
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        return run(options);
    }

    /** Runs until done or interrupted; returns the process exit code. */
    static int run(Options options) throws Exception {
        SourceOptions source = options.pipeline().source();
        System.err.println(
                "local: starting Kafka, the job and the producer (" + describe(source) + ")");
        LocalPipeline pipeline;
        try {
            pipeline = LocalPipeline.start(options.pipeline());
        } catch (IllegalArgumentException e) {
            System.err.println("local: " + e.getMessage());
            return 2;
        }
        Thread main = Thread.currentThread();
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            // Ctrl-C: let the main thread print its last line and stop everything
                            main.interrupt();
                            try {
                                cleanedUp.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException ignored) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try {
            System.err.printf(
                    "local: Kafka on %s (topics %s, %s, %s); web UI %s; job %s%n",
                    pipeline.kafka().bootstrapServers(),
                    pipeline.config().eventsTopic(),
                    pipeline.config().deadLetterTopic(),
                    pipeline.config().vectorsTopic(),
                    pipeline.webUrl(),
                    pipeline.job().getJobID());
            int exit = watch(pipeline, source, options.progressMillis());
            interrupted = exit == INTERRUPTED;
            return exit;
        } finally {
            try {
                if (interrupted) {
                    pipeline.cancelAndClose();
                } else {
                    pipeline.close();
                }
            } finally {
                cleanedUp.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it waits for cleanedUp
                }
            }
        }
    }

    /** Prints progress until every event is through (bounded runs), Ctrl-C, or a failure. */
    private static int watch(LocalPipeline pipeline, SourceOptions source, long progressMillis)
            throws Exception {
        boolean bounded = source.fromFile() || source.maxEvents() != Long.MAX_VALUE;
        Progress printed = null;
        Progress previous = null;
        Progress current = null;
        long nextPrint = progressMillis;
        try {
            while (true) {
                Thread.sleep(1_000);
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
                }
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
     * All events the run is about have been counted in, and everything they caused has gone through
     * the trainer (checked on two readings in a row, as metrics of different operators are read at
     * slightly different times).
     */
    static boolean isComplete(
            LocalPipeline pipeline, SourceOptions source, Progress current, Progress previous) {
        long target =
                pipeline.producerFinished()
                        ? Math.min(pipeline.produced(), source.maxEvents())
                        : source.maxEvents();
        return current.eventsIn() >= target && current.drained() && current.sameCounts(previous);
    }

    private static String describe(SourceOptions source) {
        String what =
                source.fromFile()
                        ? source.format() + " file " + source.eventsFile()
                        : "generator, seed " + source.generator().seed();
        String rate =
                source.eventsPerSecond() == 0
                        ? "as fast as possible"
                        : source.eventsPerSecond() + " events/s";
        return what + ", " + rate;
    }

    /** Fails at start, naming the setting, rather than deep inside the cluster's start-up. */
    static void requireFreePort(int port) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe =
                new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("localhost"))) {
            probe.setReuseAddress(true);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "--web-port "
                            + port
                            + " is in use on localhost; choose another with --web-port P"
                            + " (0 = any free port)");
        }
    }

    /** Parsed command line. */
    record Options(LocalPipeline.Settings pipeline, long progressMillis) {

        static Options parse(CliArgs args) {
            int webPort = args.intValue("web-port", 8081, 0, 65535);
            requireFreePort(webPort);
            int partitions = args.intValue("partitions", 2, 1, 1000);
            long progressMillis = args.longValue("progress-interval", 5, 1, 3600) * 1000;
            SourceOptions source = SourceOptions.parse(args);
            if (args.has("bootstrap-servers")) {
                throw new IllegalArgumentException(
                        "local runs its own Kafka broker; for an external one use"
                                + " bin/learner produce and the production job");
            }
            Map<String, String> jobSettings = JobConfig.parseArgs(args.remaining());
            // local default: checkpoints (and so committed vectors) every 10 s instead of 30 s
            jobSettings.putIfAbsent("checkpoint-interval", "10 s");
            // validate now, naming the setting, before anything starts
            JobConfig.fromMap(jobSettings, new org.apache.flink.configuration.Configuration());
            return new Options(
                    new LocalPipeline.Settings(
                            source, jobSettings, webPort, partitions, true, false),
                    progressMillis);
        }
    }
}
