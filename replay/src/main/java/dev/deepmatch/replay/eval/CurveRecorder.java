package dev.deepmatch.replay.eval;

import dev.deepmatch.model.prequential.RecallCounter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples one learner's learning curve every {@code every} examples, from its counter's figures
 * since the start and over its recent window.
 */
final class CurveRecorder {
    private final String learner;
    private final long every;
    private final List<CurvePoint> points = new ArrayList<>();
    private final Map<String, double[]> statSums = new LinkedHashMap<>();
    private long nextPointAt;

    CurveRecorder(String learner, long every) {
        this.learner = learner;
        this.every = every;
        this.nextPointAt = every;
    }

    /** After a batch was learned from. */
    void afterBatch(RecallCounter cumulative, int curveIndex, Map<String, Double> stats) {
        for (Map.Entry<String, Double> e : stats.entrySet()) {
            if (e.getValue() != null && !e.getValue().isNaN()) {
                double[] sum = statSums.computeIfAbsent(e.getKey(), k -> new double[2]);
                sum[0] += e.getValue();
                sum[1]++;
            }
        }
        if (cumulative.examples() >= nextPointAt) {
            point(cumulative, curveIndex);
            nextPointAt = (cumulative.examples() / every + 1) * every;
        }
    }

    /** Closes the curve with a point at the end of the stream, unless one was just taken. */
    void finish(RecallCounter cumulative, int curveIndex) {
        if (cumulative.examples() > 0
                && (points.isEmpty()
                        || points.get(points.size() - 1).examples() != cumulative.examples())) {
            point(cumulative, curveIndex);
        }
    }

    private void point(RecallCounter cumulative, int curveIndex) {
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : statSums.entrySet()) {
            double[] sum = e.getValue();
            means.put(e.getKey(), sum[1] == 0 ? Double.NaN : sum[0] / sum[1]);
            sum[0] = 0;
            sum[1] = 0;
        }
        points.add(
                new CurvePoint(
                        learner,
                        cumulative.examples(),
                        cumulative.recentPos(curveIndex),
                        cumulative.recentNeg(curveIndex),
                        cumulative.pos(curveIndex),
                        cumulative.neg(curveIndex),
                        means));
    }

    List<CurvePoint> points() {
        return points;
    }
}
