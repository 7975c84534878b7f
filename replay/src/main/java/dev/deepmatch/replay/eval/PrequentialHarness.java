package dev.deepmatch.replay.eval;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.prequential.PrequentialLearner;
import dev.deepmatch.model.prequential.RecallCounter;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prequential evaluation: plays in stream order go through per-listener windows (the job's {@link
 * dev.deepmatch.model.prequential.WindowRule}) into examples, examples into mini-batches in stream
 * order, and every learner first ranks each batch, then learns from it. All learners see the same
 * batches in one pass over the source.
 */
public final class PrequentialHarness {
    private final HarnessSettings settings;
    private final List<PrequentialLearner> learners;
    private final PrintStream progress;

    public PrequentialHarness(
            HarnessSettings settings, List<PrequentialLearner> learners, PrintStream progress) {
        if (learners.isEmpty()) {
            throw new IllegalArgumentException("no learner to replay");
        }
        this.settings = settings;
        this.learners = List.copyOf(learners);
        this.progress = progress;
    }

    public List<LearnerResult> run(EventSource source) throws IOException {
        long started = System.nanoTime();
        List<Run> runs = new ArrayList<>();
        for (PrequentialLearner learner : learners) {
            runs.add(new Run(learner));
        }
        UserWindows windows = new UserWindows(settings.windowLength(), settings.dedupMemory());
        List<Example> batch = new ArrayList<>(settings.batchSize());
        long events = 0;
        long nextProgress = started + settings.progressMillis() * 1_000_000;
        PlaybackEvent play;
        while (events < settings.limit() && (play = source.next()) != null) {
            events++;
            TrainingExample example = windows.accept(play);
            if (example != null) {
                batch.add(Example.of(example));
                if (batch.size() == settings.batchSize()) {
                    processAll(runs, batch);
                    batch.clear();
                }
            }
            if (progress != null && settings.progressMillis() > 0) {
                long now = System.nanoTime();
                if (now >= nextProgress) {
                    reportProgress(events, now - started, runs);
                    nextProgress = now + settings.progressMillis() * 1_000_000;
                }
            }
        }
        if (!batch.isEmpty()) {
            processAll(runs, batch);
        }
        long wall = System.nanoTime() - started;
        long learnersTotal = runs.stream().mapToLong(r -> r.nanos).sum();
        long shared = Math.max(0, wall - learnersTotal);
        List<LearnerResult> results = new ArrayList<>();
        for (Run run : runs) {
            run.curve.finish(run.recall, 0);
            results.add(
                    new LearnerResult(
                            run.learner.name(),
                            run.recall,
                            new ContextRecall(run.afterPlay, run.afterSkip),
                            events,
                            (shared + run.nanos) / 1e9,
                            List.copyOf(run.curve.points())));
        }
        return results;
    }

    private static void processAll(List<Run> runs, List<Example> batch) {
        // Learners may keep the batch (e.g. a replay buffer); the harness reuses its list.
        List<Example> frozen = List.copyOf(batch);
        for (Run run : runs) {
            run.process(frozen);
        }
    }

    private void reportProgress(long events, long nanos, List<Run> runs) {
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "replay: %d events, %.0f events/s",
                                events,
                                events / (nanos / 1e9)));
        int n = settings.ns()[0];
        for (Run run : runs) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            " | %s POS@%d=%s NEG@%d=%s",
                            run.learner.name(),
                            n,
                            RecallCounter.format(run.recall.pos(0)),
                            n,
                            RecallCounter.format(run.recall.neg(0))));
        }
        progress.println(sb);
    }

    private RecallCounter newCounter(int recentWindow) {
        return new RecallCounter(
                settings.ns(), settings.posThreshold(), settings.negThreshold(), recentWindow);
    }

    /** One learner's state during the replay. */
    private final class Run {
        final PrequentialLearner learner;
        final RecallCounter recall;
        final RecallCounter afterPlay;
        final RecallCounter afterSkip;
        final CurveRecorder curve;
        long nanos;

        Run(PrequentialLearner learner) {
            this.learner = learner;
            this.recall = newCounter(settings.metricsWindow());
            this.afterPlay = newCounter(0);
            this.afterSkip = newCounter(0);
            this.curve = new CurveRecorder(learner.name(), settings.curveEvery());
        }

        void process(List<Example> batch) {
            long t0 = System.nanoTime();
            int[] ranks = learner.rankTargets(batch, settings.maxN());
            if (ranks.length != batch.size()) {
                throw new IllegalStateException(
                        learner.name()
                                + " ranked "
                                + ranks.length
                                + " examples of a batch of "
                                + batch.size());
            }
            for (int i = 0; i < ranks.length; i++) {
                double rate = batch.get(i).targetRate();
                recall.add(ranks[i], rate);
                boolean afterSkipped = batch.get(i).lastRate() < settings.negThreshold();
                (afterSkipped ? afterSkip : afterPlay).add(ranks[i], rate);
            }
            learner.learn(batch);
            nanos += System.nanoTime() - t0;
            curve.afterBatch(recall, 0, learner.lastLearnStats());
        }
    }
}
