package dev.deepmatch.replay;

import dev.deepmatch.model.eval.DeepMatchLearner;
import dev.deepmatch.model.eval.PrequentialLearner;
import dev.deepmatch.replay.baseline.Baselines;
import dev.deepmatch.replay.chart.LearningCurveChart;
import dev.deepmatch.replay.eval.CurveCsv;
import dev.deepmatch.replay.eval.HarnessSettings;
import dev.deepmatch.replay.eval.LearnerResult;
import dev.deepmatch.replay.eval.PrequentialHarness;
import dev.deepmatch.replay.format.BadFileException;
import dev.deepmatch.replay.format.BadRows;
import dev.deepmatch.replay.format.PlayReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/learner replay}: prequential evaluation of the model and the baselines on a file of
 * plays. Progress and skipped rows go to stderr; stdout gets exactly one result line per learner.
 */
public final class ReplayMain {
    private static final int MAX_REPORTED_BAD_ROWS = 20;
    private static final long PROGRESS_MILLIS = 5_000;

    private ReplayMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a replay; returns the exit code (0 ok, 1 failure, 2 wrong command line). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ReplayOptions options;
        try {
            options = ReplayOptions.parse(args);
        } catch (UsageException e) {
            err.println("replay: " + e.getMessage());
            err.print(ReplayOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(ReplayOptions.USAGE);
            return 0;
        }
        if (!Files.isReadable(options.events()) || Files.isDirectory(options.events())) {
            err.println("replay: --events " + options.events() + " is not a readable file");
            return 2;
        }
        List<PrequentialLearner> learners = new ArrayList<>();
        try {
            return replay(options, learners, out, err);
        } finally {
            for (PrequentialLearner learner : learners) {
                if (learner instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        err.println("replay: closing " + learner.name() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** Creates the learners into {@code learners} (so the caller can close them) and replays. */
    private static int replay(
            ReplayOptions options,
            List<PrequentialLearner> learners,
            PrintStream out,
            PrintStream err) {
        for (String name : options.learners()) {
            if (name.equals(ReplayOptions.MODEL)) {
                try {
                    learners.add(new DeepMatchLearner(options.model()));
                } catch (UnsupportedOperationException e) {
                    err.println(
                            "replay: the model is not available in this build ("
                                    + e.getMessage()
                                    + ")");
                    if (options.learners().size() == 1) {
                        return 1;
                    }
                    err.println("replay: continuing with the baselines only");
                }
            } else {
                learners.add(
                        Baselines.create(name, options.posThreshold(), options.negThreshold()));
            }
        }
        HarnessSettings settings =
                new HarnessSettings(
                        options.model().maxLen(),
                        options.batch(),
                        options.ns(),
                        options.posThreshold(),
                        options.negThreshold(),
                        options.limit(),
                        options.curveEvery(),
                        options.curveWindow(),
                        PROGRESS_MILLIS);
        BadRows bad = new BadRows(err, MAX_REPORTED_BAD_ROWS);
        List<LearnerResult> results;
        try (PlayReader reader = options.format().open(options.events(), bad)) {
            results = new PrequentialHarness(settings, learners, err).run(reader);
        } catch (BadFileException e) {
            err.println("replay: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("replay: cannot read " + options.events() + ": " + e.getMessage());
            return 1;
        }
        err.println("replay: " + bad.summary());
        try {
            if (options.curveCsv() != null) {
                CurveCsv.write(results, options.ns()[0], options.curveCsv());
                err.println("replay: wrote " + options.curveCsv());
            }
            if (options.curvePng() != null) {
                LearningCurveChart.write(
                        results, options.ns()[0], options.curveWindow(), options.curvePng());
                err.println("replay: wrote " + options.curvePng());
            }
        } catch (IOException e) {
            err.println("replay: cannot write the learning curve: " + e.getMessage());
            return 1;
        }
        boolean prefix = options.learners().size() > 1;
        for (LearnerResult r : results) {
            out.println((prefix ? r.name() + ": " : "") + r.line());
        }
        return 0;
    }
}
