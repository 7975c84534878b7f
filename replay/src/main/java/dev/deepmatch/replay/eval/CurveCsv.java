package dev.deepmatch.replay.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes learning curves as CSV: {@code learner,examples,pos_recent,neg_recent,pos_cumulative,
 * neg_cumulative} and one column per learn statistic any learner reported (empty where a learner
 * has none).
 */
public final class CurveCsv {
    private CurveCsv() {}

    public static void write(List<LearnerResult> results, int n, Path file) throws IOException {
        Set<String> stats = new LinkedHashSet<>();
        for (LearnerResult r : results) {
            for (CurvePoint p : r.curve()) {
                stats.addAll(p.learnStats().keySet());
            }
        }
        try (PrintWriter out =
                new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            StringBuilder header =
                    new StringBuilder("learner,examples,")
                            .append(
                                    String.format(
                                            Locale.ROOT,
                                            "pos%1$d_recent,neg%1$d_recent,pos%1$d_cumulative,"
                                                    + "neg%1$d_cumulative",
                                            n));
            for (String s : stats) {
                header.append(',').append(s);
            }
            out.println(header);
            for (LearnerResult r : results) {
                for (CurvePoint p : r.curve()) {
                    StringBuilder line =
                            new StringBuilder(r.name()).append(',').append(p.examples());
                    for (double v :
                            new double[] {
                                p.posRecent(), p.negRecent(), p.posCumulative(), p.negCumulative()
                            }) {
                        line.append(',').append(number(v));
                    }
                    for (String s : stats) {
                        Double v = p.learnStats().get(s);
                        line.append(',').append(v == null ? "" : number(v));
                    }
                    out.println(line);
                }
            }
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
