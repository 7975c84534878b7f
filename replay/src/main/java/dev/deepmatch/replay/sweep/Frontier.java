package dev.deepmatch.replay.sweep;

import dev.deepmatch.model.prequential.RecallCounter;
import dev.deepmatch.replay.eval.LearnerResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The POS@N / NEG@N trade-off of a sweep over the negative loss weight: per variant and weight the
 * figures averaged over seeds, and the comparison the model's claims rest on, made at equal NEG@N
 * rather than at equal weight: the two variants sit at very different NEG@N for the same weight, so
 * comparing them there would compare different trade-offs.
 */
public final class Frontier {

    /** One variant at one weight, averaged over its seeds. */
    public record Point(
            String variant,
            double negWeight,
            int seeds,
            double[] pos,
            double[] neg,
            double minPos0,
            double maxPos0) {}

    /**
     * Where the no-rate-intent variant reached {@code neg}, the full variant's POS@N interpolated
     * along its frontier at the same NEG@N.
     */
    public record Matched(int n, double negWeight, double neg, double posWithout, double posWith) {
        public double gain() {
            return posWith - posWithout;
        }
    }

    private final int[] ns;
    private final List<Point> points;

    private Frontier(int[] ns, List<Point> points) {
        this.ns = ns.clone();
        this.points = List.copyOf(points);
    }

    /** Averages the runs' results by variant and weight; results must follow runs' order. */
    public static Frontier of(List<ModelRun> runs, List<LearnerResult> results) {
        if (runs.size() != results.size() || runs.isEmpty()) {
            throw new IllegalArgumentException("one result per run expected");
        }
        int[] ns = results.get(0).recall().ns();
        Map<String, List<RecallCounter>> groups = new LinkedHashMap<>();
        Map<String, ModelRun> firstOf = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            String key = runs.get(i).variant() + "|" + runs.get(i).negWeight();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(results.get(i).recall());
            firstOf.putIfAbsent(key, runs.get(i));
        }
        List<Point> points = new ArrayList<>();
        for (Map.Entry<String, List<RecallCounter>> g : groups.entrySet()) {
            List<RecallCounter> cs = g.getValue();
            double[] pos = new double[ns.length];
            double[] neg = new double[ns.length];
            double minPos = Double.POSITIVE_INFINITY;
            double maxPos = Double.NEGATIVE_INFINITY;
            for (RecallCounter c : cs) {
                for (int i = 0; i < ns.length; i++) {
                    pos[i] += c.pos(i) / cs.size();
                    neg[i] += c.neg(i) / cs.size();
                }
                minPos = Math.min(minPos, c.pos(0));
                maxPos = Math.max(maxPos, c.pos(0));
            }
            ModelRun run = firstOf.get(g.getKey());
            points.add(
                    new Point(run.variant(), run.negWeight(), cs.size(), pos, neg, minPos, maxPos));
        }
        points.sort(Comparator.comparing(Point::variant).thenComparingDouble(Point::negWeight));
        return new Frontier(ns, points);
    }

    public int[] ns() {
        return ns.clone();
    }

    public List<Point> points() {
        return points;
    }

    public List<Point> variant(String variant) {
        return points.stream().filter(p -> p.variant().equals(variant)).toList();
    }

    /**
     * For each no-rate-intent point whose NEG@ns[i] lies within the full variant's range, the full
     * variant's POS@ns[i] at that NEG@ns[i], by linear interpolation between its two nearest points
     * in NEG.
     */
    public List<Matched> matched(int i) {
        List<Point> full = new ArrayList<>(variant(ModelRun.FULL));
        full.sort(Comparator.comparingDouble(p -> p.neg()[i]));
        List<Matched> out = new ArrayList<>();
        for (Point p : variant(ModelRun.NO_RATE_INTENT)) {
            double neg = p.neg()[i];
            for (int j = 0; j + 1 < full.size(); j++) {
                Point lo = full.get(j);
                Point hi = full.get(j + 1);
                if (neg >= lo.neg()[i] && neg <= hi.neg()[i]) {
                    double span = hi.neg()[i] - lo.neg()[i];
                    double t = span == 0 ? 0 : (neg - lo.neg()[i]) / span;
                    double pos = lo.pos()[i] + t * (hi.pos()[i] - lo.pos()[i]);
                    out.add(new Matched(ns[i], p.negWeight(), neg, p.pos()[i], pos));
                    break;
                }
            }
        }
        return out;
    }

    /** Lines for the console: the averaged points, then the comparisons at equal NEG@N. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Point p : points) {
            StringBuilder sb =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "%-15s neg-weight=%-5s seeds=%d",
                                    p.variant(),
                                    p.negWeight(),
                                    p.seeds()));
            for (int i = 0; i < ns.length; i++) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                " POS@%d=%.4f NEG@%d=%.4f",
                                ns[i],
                                p.pos()[i],
                                ns[i],
                                p.neg()[i]));
            }
            if (p.seeds() > 1) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                " (POS@%d from %.4f to %.4f)",
                                ns[0],
                                p.minPos0(),
                                p.maxPos0()));
            }
            lines.add(sb.toString());
        }
        for (int i = 0; i < ns.length; i++) {
            for (Matched m : matched(i)) {
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "at NEG@%d=%.4f (no-rate-intent, neg-weight=%s): POS@%d %.4f"
                                        + " without rate and intent inputs, %.4f with them (%+.4f)",
                                m.n(),
                                m.neg(),
                                m.negWeight(),
                                m.n(),
                                m.posWithout(),
                                m.posWith(),
                                m.gain()));
            }
        }
        return lines;
    }

    /** {@code variant,neg_weight,seeds,POS@10,NEG@10,...}; baselines as rows of their own. */
    public void writeCsv(Path file, List<LearnerResult> baselines) throws IOException {
        StringBuilder sb = new StringBuilder("variant,neg_weight,seeds");
        for (int n : ns) {
            sb.append(",POS@").append(n).append(",NEG@").append(n);
        }
        sb.append('\n');
        for (Point p : points) {
            sb.append(p.variant()).append(',').append(p.negWeight()).append(',').append(p.seeds());
            for (int i = 0; i < ns.length; i++) {
                sb.append(',').append(fmt(p.pos()[i])).append(',').append(fmt(p.neg()[i]));
            }
            sb.append('\n');
        }
        for (LearnerResult b : baselines) {
            sb.append(b.name()).append(",,1");
            for (int i = 0; i < ns.length; i++) {
                sb.append(',')
                        .append(fmt(b.recall().pos(i)))
                        .append(',')
                        .append(fmt(b.recall().neg(i)));
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
