package dev.deepmatch.replay;

import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelExchange;
import dev.deepmatch.model.ModelRuntime;
import dev.deepmatch.model.prequential.DeepMatchLearner;
import dev.deepmatch.model.prequential.PrequentialLearner;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.replay.eval.HarnessSettings;
import dev.deepmatch.replay.eval.LearnerResult;
import dev.deepmatch.replay.eval.PrequentialHarness;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SourceSettings;
import dev.deepmatch.sources.format.BadRows;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment, not a test: what the staleness of the trainers' exchange costs, without Flink. Two
 * replicas take the replay's batches in turn (each ranks, then learns its batch) and exchange
 * {@link ModelExchange} deltas every K batches, the dense part every D exchanges; beside them one
 * model learns every batch. Results in docs/SCALING.md. Run with the replay's settings, e.g.:
 *
 * <pre>
 * mvn -q -pl replay test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp \
 *     -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector \
 *     -cp replay/target/test-classes:replay/target/classes:$(cat /tmp/cp) \
 *     dev.deepmatch.replay.ExchangeStalenessExperiment \
 *     --events ../shared/data/mssd-mini/mini-spotify-data.csv --format mssd-mini --threads 1
 * </pre>
 */
public final class ExchangeStalenessExperiment implements PrequentialLearner {
    private final String name;
    private final DeepMatchLearner[] replicas;
    private final ModelExchange[] exchanges;
    private final int every;
    private final int denseEvery;
    private int batches;

    private ExchangeStalenessExperiment(
            ModelConfig config, ModelRuntime runtime, int replicas, int every, int denseEvery) {
        this.name = "P" + replicas + "-K" + every + "-D" + denseEvery;
        this.every = every;
        this.denseEvery = denseEvery;
        this.replicas = new DeepMatchLearner[replicas];
        this.exchanges = new ModelExchange[replicas];
        for (int i = 0; i < replicas; i++) {
            DeepMatchModel model = new DeepMatchModel(config, runtime);
            this.replicas[i] = new DeepMatchLearner(model);
            this.exchanges[i] = new ModelExchange(model);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        return replicas[batches % replicas.length].rankTargets(batch, maxN);
    }

    @Override
    public void learn(List<Example> batch) {
        replicas[batches % replicas.length].learn(batch);
        batches++;
        if (batches % every == 0) {
            boolean dense = (batches / every) % denseEvery == 0;
            List<List<ModelDelta>> sent = new ArrayList<>();
            for (int i = 0; i < exchanges.length; i++) {
                sent.add(exchanges[i].take(i, exchanges.length, 0, 0, batches, 0, 2048, dense));
            }
            for (int i = 0; i < exchanges.length; i++) {
                for (int j = 0; j < exchanges.length; j++) {
                    if (i != j) {
                        sent.get(j).forEach(exchanges[i]::apply);
                    }
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        ReplayOptions options = ReplayOptions.parse(args);
        ModelConfig config = options.models().get(0).config();
        ModelRuntime runtime = options.runtime();
        List<PrequentialLearner> learners = new ArrayList<>();
        learners.add(new DeepMatchLearner("one-model", new DeepMatchModel(config, runtime)));
        int[][] variants = {{1, 1}, {8, 1}, {40, 1}, {1, 16}, {2, 1}};
        for (int[] v : variants) {
            learners.add(new ExchangeStalenessExperiment(config, runtime, 2, v[0], v[1]));
        }
        HarnessSettings settings =
                new HarnessSettings(
                        config.windowLength(),
                        options.get(PrequentialSettings.DEDUP_MEMORY),
                        options.get(PrequentialSettings.BATCH_SIZE),
                        options.ns(),
                        config.posThreshold(),
                        config.negThreshold(),
                        SourceSettings.maxEvents(options.settings()),
                        options.get(ReplaySettings.CURVE_EVERY),
                        options.get(PrequentialSettings.METRICS_WINDOW),
                        30_000);
        try (EventSource source =
                SourceSettings.open(options.settings(), new BadRows(System.err, 10))) {
            for (LearnerResult r :
                    new PrequentialHarness(settings, learners, System.err).run(source)) {
                System.out.println(r.name() + " " + r.recall().figures());
            }
        }
    }
}
