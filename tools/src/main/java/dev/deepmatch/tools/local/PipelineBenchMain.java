package dev.deepmatch.tools.local;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.replay.BenchMain;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.SourceSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    static final Setting<Long> EVENTS_ON =
            Setting.ofLong("events-on", 30_000L)
                    .atLeast(1)
                    .describedAs("plays of the run with training");

    static final Setting<Long> EVENTS_OFF =
            Setting.ofLong("events-off", 600_000L)
                    .atLeast(1)
                    .describedAs("plays of the run without training");

    static final Setting<String> MODES =
            Setting.ofString("modes", "on,off")
                    .check(
                            v ->
                                    List.of(v.split(",")).stream()
                                            .allMatch(m -> m.equals("on") || m.equals("off")),
                            ", a list of on and off")
                    .describedAs("which runs: training on and/or off");

    static final Setting<String> TRAINERS =
            Setting.ofString("trainers", "1")
                    .check(
                            v ->
                                    List.of(v.split(",")).stream()
                                            .allMatch(t -> t.matches("[1-9][0-9]*")),
                            ", a list of trainer parallelisms")
                    .describedAs(
                            "trainer parallelisms to run, each a --trainer-parallelism (e.g. 1,2)");

    static final Setting<Integer> FRESHNESS_SECONDS =
            Setting.ofInt("freshness-seconds", 60)
                    .range(0, 3600)
                    .describedAs(
                            "length of the sustained run that measures freshness, after the timed"
                                    + " runs (0 skips it)");

    static final Setting<Double> FRESHNESS_LOAD =
            Setting.ofDouble("freshness-load", 0.8)
                    .range(0.01, 1.0)
                    .describedAs(
                            "generator rate of the sustained run, as a share of the measured"
                                    + " events/s with training on");

    static final Setting<Integer> ROUNDS =
            Setting.ofInt("rounds", 1)
                    .range(1, 100)
                    .describedAs("times every run is repeated, alternating; medians are printed");

    public static final CommandLine COMMAND =
            JobConfig.addTo(
                            CommandLine.builder(
                                            "bench-pipeline",
                                            "Plays per second through the whole local pipeline"
                                                    + " (Kafka source, dead-letter split, RocksDB"
                                                    + " windows, trainer, exactly-once vector sink),"
                                                    + " with training on and off, on the same"
                                                    + " plays, written to Kafka before each run.")
                                    .group(
                                            "bench",
                                            List.of(
                                                    EVENTS_ON,
                                                    EVENTS_OFF,
                                                    MODES,
                                                    TRAINERS,
                                                    ROUNDS,
                                                    FRESHNESS_SECONDS,
                                                    FRESHNESS_LOAD,
                                                    LocalMain.PARTITIONS))
                                    .group("plays", SourceSettings.INPUT))
                    .build();

    private PipelineBenchMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    public static int run(String[] argv) throws Exception {
        CommandLine.Parsed parsed;
        Settings s;
        try {
            parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                System.out.print(COMMAND.usage());
                return 0;
            }
            s = parsed.settings();
            for (Setting<?> set :
                    List.of(
                            SourceSettings.MAX_EVENTS,
                            SourceSettings.RATE,
                            JobSettings.TRAINING_ENABLED,
                            JobSettings.TRAINER_PARALLELISM)) {
                if (s.isSet(set)) {
                    throw new UsageException(
                            "--"
                                    + set.name()
                                    + " is set per run by --events-on, --events-off, --modes,"
                                    + " --trainers and --freshness-load");
                }
            }
            SourceSettings.check(s);
            JobConfig.of(parsed);
        } catch (UsageException | SettingException e) {
            System.err.println("bench-pipeline: " + e.getMessage());
            System.err.println("bench-pipeline: --help lists the settings");
            return 2;
        }

        StringBuilder table = new StringBuilder();
        table.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %-9s %-8s %12s %9s %10s %13s%n",
                        "round",
                        "trainers",
                        "training",
                        "events timed",
                        "seconds",
                        "events/s",
                        "model version"));
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        long catalogue = 0;
        for (int round = 1; round <= s.get(ROUNDS); round++) {
            for (String trainers : s.get(TRAINERS).split(",")) {
                for (String mode : s.get(MODES).split(",")) {
                    boolean on = mode.equals("on");
                    System.err.printf(
                            "bench-pipeline: round %d, %s trainers, training %s ...%n",
                            round, trainers, mode);
                    Settings run =
                            s.toBuilder()
                                    .set(JobSettings.TRAINING_ENABLED, on)
                                    .set(
                                            JobSettings.TRAINER_PARALLELISM,
                                            Integer.parseInt(trainers))
                                    .set(
                                            SourceSettings.MAX_EVENTS,
                                            s.get(on ? EVENTS_ON : EVENTS_OFF))
                                    .build();
                    Result r =
                            measure(
                                    new LocalPipeline.Plan(
                                            run,
                                            parsed.prefixed(JobSettings.KAFKA_PREFIX),
                                            parsed.prefixed(JobSettings.FLINK_PREFIX),
                                            0,
                                            -1,
                                            s.get(LocalMain.PARTITIONS),
                                            true,
                                            true));
                    double rate = r.events / r.seconds;
                    rates.computeIfAbsent(trainers + " " + mode, k -> new ArrayList<>()).add(rate);
                    if (on) {
                        catalogue = Math.max(catalogue, r.catalogue);
                    }
                    String row =
                            String.format(
                                    Locale.ROOT,
                                    "%-6d %-9s %-8s %12d %9.1f %10.0f %13d",
                                    round,
                                    trainers,
                                    mode,
                                    r.events,
                                    r.seconds,
                                    rate,
                                    r.modelVersion);
                    System.err.println(row);
                    table.append(row).append('\n');
                }
            }
        }
        table.append('\n');
        rates.forEach(
                (key, values) -> {
                    String[] k = key.split(" ");
                    table.append(
                            String.format(
                                    Locale.ROOT,
                                    "trainers=%s training=%s events/s=%.0f (median of %d)%n",
                                    k[0],
                                    k[1],
                                    median(values),
                                    values.size()));
                });
        String firstTrainers = s.get(TRAINERS).split(",")[0];
        List<Double> onRates = rates.get(firstTrainers + " on");
        if (onRates != null) {
            double pipelineRate = median(onRates);
            double bareRate = bare(JobConfig.of(parsed), (int) Math.max(2, catalogue), table);
            double[] freshness = {Double.NaN, Double.NaN};
            if (s.get(FRESHNESS_SECONDS) > 0) {
                double load = s.get(FRESHNESS_LOAD) * pipelineRate;
                System.err.printf(
                        Locale.ROOT,
                        "bench-pipeline: sustained run at %.0f plays/s for %d s (freshness) ...%n",
                        load,
                        s.get(FRESHNESS_SECONDS));
                freshness = sustained(s, parsed, firstTrainers, load, s.get(FRESHNESS_SECONDS));
                table.append(
                        String.format(
                                Locale.ROOT,
                                "freshness at %.0f plays/s (%.0f%% of %s trainers' events/s),"
                                        + " checkpoint-interval %s, emission-interval %s%n",
                                load,
                                100 * s.get(FRESHNESS_LOAD),
                                firstTrainers,
                                s.get(JobSettings.CHECKPOINT_INTERVAL),
                                s.get(JobSettings.EMISSION_INTERVAL)));
            }
            table.append(
                    String.format(
                            Locale.ROOT,
                            "pipeline_events/s=%.0f bare_sequences/s=%.0f ratio=%.2f"
                                    + " freshness_p50_ms=%.0f freshness_p99_ms=%.0f%n",
                            pipelineRate,
                            bareRate,
                            bareRate > 0 ? pipelineRate / bareRate : Double.NaN,
                            freshness[0],
                            freshness[1]));
        }
        System.out.print(table);
        return 0;
    }

    /**
     * The training call's own rate, alone in this JVM after the pipeline runs: {@link
     * DeepMatchModel#learn} at the job's batch size, model and runtime (each batch with its
     * replayed examples, as the trainer does), what the pipeline would reach if training were all
     * it did. Also prints the bare step without replay ({@code bin/learner bench}'s figure).
     */
    private static double bare(JobConfig config, int catalogue, StringBuilder table) {
        int batch = config.get(PrequentialSettings.BATCH_SIZE);
        int steps = Math.max(20, 6_400 / batch);
        double[] rates = new double[2];
        for (int i = 0; i < 2; i++) {
            boolean withReplay = i == 0;
            System.err.printf(
                    "bench-pipeline: the training call alone%s, batch %d, %d items, %d steps ...%n",
                    withReplay ? "" : " without replay", batch, catalogue, steps);
            BenchMain.Timed t =
                    BenchMain.time(
                            config.modelConfig(),
                            config.modelRuntime(),
                            batch,
                            catalogue,
                            5,
                            steps,
                            withReplay,
                            false,
                            System.err);
            rates[i] = (double) batch * steps / (t.nanos() / 1e9);
        }
        table.append(
                String.format(
                        Locale.ROOT,
                        "training call alone: %.0f sequences/s with replay (learn), %.0f without"
                                + " (train, as bin/learner bench); batch %d, %d items%n",
                        rates[0],
                        rates[1],
                        batch,
                        catalogue));
        return rates[0];
    }

    /**
     * Runs the generator live at {@code rate} for {@code seconds} and returns the trainers' worst
     * freshness median and p99 (ms) over the last plays they trained.
     */
    private static double[] sustained(
            Settings s, CommandLine.Parsed parsed, String trainers, double rate, int seconds)
            throws Exception {
        Settings run =
                s.toBuilder()
                        .set(JobSettings.TRAINING_ENABLED, true)
                        .set(JobSettings.TRAINER_PARALLELISM, Integer.parseInt(trainers))
                        .set(SourceSettings.RATE, rate)
                        .set(SourceSettings.MAX_EVENTS, (long) (rate * (seconds + 120)))
                        .build();
        try (LocalPipeline pipeline =
                LocalPipeline.start(
                        new LocalPipeline.Plan(
                                run,
                                parsed.prefixed(JobSettings.KAFKA_PREFIX),
                                parsed.prefixed(JobSettings.FLINK_PREFIX),
                                0,
                                -1,
                                s.get(LocalMain.PARTITIONS),
                                true,
                                false))) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            Progress last = null;
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                if (pipeline.jobStatus().isGloballyTerminalState()) {
                    throw new IllegalStateException("the job ended unexpectedly");
                }
                try {
                    last = pipeline.poll();
                } catch (IOException notRunningYet) {
                    // the REST API answers once the job runs
                }
            }
            if (last != null) {
                System.err.println("bench-pipeline: " + last.line(null, pipeline.produced()));
            }
            RestMetrics m = pipeline.metrics();
            double[] p50 = m.range(LearnerMetrics.VECTOR_FRESHNESS_MILLIS + "_median");
            double[] p99 = m.range(LearnerMetrics.VECTOR_FRESHNESS_MILLIS + "_p99");
            return new double[] {
                p50 == null ? Double.NaN : p50[1], p99 == null ? Double.NaN : p99[1]
            };
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private record Result(long events, double seconds, long modelVersion, long catalogue) {}

    private static Result measure(LocalPipeline.Plan plan) throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(plan)) {
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
                    events =
                            pipeline.kafka()
                                    .recordsIn(pipeline.config().get(JobSettings.EVENTS_TOPIC));
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
                            p.modelVersion(),
                            p.catalogueSize());
                }
            }
        }
    }
}
