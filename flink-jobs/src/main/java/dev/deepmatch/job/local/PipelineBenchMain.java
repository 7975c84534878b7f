package dev.deepmatch.job.local;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.job.produce.SourceOptions;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/learner bench-pipeline}: events per second through the whole local pipeline (Kafka
 * source, decoding, RocksDB windows, trainer, exactly-once vector sink), once with training on and
 * once with it off, on the same events.
 *
 * <p>The events are written to Kafka before each job starts, so the producer neither limits nor
 * competes with the pipeline. The rate is taken from the first event counted in to the moment every
 * event has gone through the trainer, from metrics read every half second (which the JobManager
 * refreshes every second): about a second of uncertainty per run.
 */
public final class PipelineBenchMain {

    static final String USAGE =
            """
            usage: bin/learner bench-pipeline [options] [job settings]
              --events-on N        events of the run with training (default 30000)
              --events-off N       events of the run without training (default 600000)
              --modes on,off       which runs, training on and/or off (default on,off)
              --partitions N       partitions of the playback topic (default 2)
            """
                    + SourceOptions.USAGE
                    + """

            Any other --name value is a job setting, e.g. --batch-size 256 --parallelism 2.
            """;

    private PipelineBenchMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    public static int run(String[] argv) throws Exception {
        CliArgs args;
        SourceOptions source;
        long eventsOn;
        long eventsOff;
        String[] modes;
        int partitions;
        Map<String, String> jobSettings;
        try {
            args = CliArgs.parse(argv, Set.of("generator", "help"));
            if (args.flag("help")) {
                System.out.println(USAGE);
                return 0;
            }
            if (args.has("max-events")) {
                throw new IllegalArgumentException(
                        "use --events-on and --events-off instead of --max-events");
            }
            eventsOn = args.longValue("events-on", 30_000, 1, Long.MAX_VALUE - 1);
            eventsOff = args.longValue("events-off", 600_000, 1, Long.MAX_VALUE - 1);
            partitions = args.intValue("partitions", 2, 1, 1000);
            modes = args.string("modes", "on,off").split(",");
            for (String mode : modes) {
                if (!mode.equals("on") && !mode.equals("off")) {
                    throw new IllegalArgumentException(
                            "--modes is a list of on and off, got '" + mode + "'");
                }
            }
            source = SourceOptions.parse(args);
            if (args.has("training-enabled")) {
                throw new IllegalArgumentException(
                        "--training-enabled is set per run by --modes, not given directly");
            }
            jobSettings = JobConfig.parseArgs(args.remaining());
            JobConfig.fromMap(jobSettings, new org.apache.flink.configuration.Configuration());
        } catch (IllegalArgumentException e) {
            System.err.println("bench-pipeline: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }

        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "%-13s %12s %9s %10s %13s%n",
                        "training",
                        "events timed",
                        "seconds",
                        "events/s",
                        "model version"));
        for (String mode : modes) {
            Map<String, String> settings = new LinkedHashMap<>(jobSettings);
            settings.put("training-enabled", String.valueOf(mode.equals("on")));
            System.err.println("bench-pipeline: run with training " + mode + " ...");
            long events = mode.equals("on") ? eventsOn : eventsOff;
            SourceOptions bounded =
                    new SourceOptions(
                            source.eventsFile(),
                            source.format(),
                            source.generator(),
                            source.eventsPerSecond(),
                            events,
                            source.eventTime());
            Result r = measure(bounded, settings, partitions);
            String row =
                    String.format(
                            Locale.ROOT,
                            "%-13s %12d %9.1f %10.0f %13d",
                            mode,
                            r.events,
                            r.seconds,
                            r.events / r.seconds,
                            r.modelVersion);
            System.err.println(row);
            table.append(row).append('\n');
        }
        System.out.print(table);
        return 0;
    }

    private record Result(long events, double seconds, long modelVersion) {}

    private static Result measure(
            SourceOptions source, Map<String, String> settings, int partitions) throws Exception {
        try (LocalPipeline pipeline =
                LocalPipeline.start(
                        new LocalPipeline.Settings(source, settings, 0, partitions, true, true))) {
            long events = -1;
            Progress first = null;
            while (true) {
                Thread.sleep(500);
                Progress p;
                try {
                    p = pipeline.poll();
                } catch (IOException notRunningYet) {
                    continue;
                }
                if (events < 0) {
                    // everything was preloaded: the topic's size is what the job gets through
                    events = pipeline.kafka().recordsIn(pipeline.config().eventsTopic());
                }
                if (pipeline.jobStatus().isGloballyTerminalState()) {
                    throw new IllegalStateException("the job ended unexpectedly");
                }
                if (first == null && p.eventsIn() > 0) {
                    first = p;
                }
                if (first != null && p.eventsIn() >= events && p.drained()) {
                    if (p.millis() == first.millis()) {
                        throw new IllegalStateException(
                                "all "
                                        + events
                                        + " events went through between two readings of the"
                                        + " metrics: give the run more events");
                    }
                    return new Result(
                            p.eventsIn() - first.eventsIn(),
                            (p.millis() - first.millis()) / 1000.0,
                            p.modelVersion());
                }
            }
        }
    }
}
