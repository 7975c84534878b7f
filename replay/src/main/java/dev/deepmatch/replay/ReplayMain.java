package dev.deepmatch.replay;

import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.prequential.DeepMatchLearner;
import dev.deepmatch.model.prequential.PrequentialLearner;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.replay.baseline.Baselines;
import dev.deepmatch.replay.chart.FrontierChart;
import dev.deepmatch.replay.chart.LearningCurveChart;
import dev.deepmatch.replay.eval.CurveCsv;
import dev.deepmatch.replay.eval.HarnessSettings;
import dev.deepmatch.replay.eval.LearnerResult;
import dev.deepmatch.replay.eval.PrequentialHarness;
import dev.deepmatch.replay.sweep.Frontier;
import dev.deepmatch.replay.sweep.ModelRun;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SourceSettings;
import dev.deepmatch.sources.format.BadFileException;
import dev.deepmatch.sources.format.BadRows;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/learner replay}: prequential evaluation of the model and the baselines on a file of
 * plays or the generator. Progress and skipped rows go to stderr; stdout gets exactly one result
 * line per learner.
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
            err.println("replay: --help lists the settings");
            return 2;
        }
        if (options == null) {
            out.print(ReplayOptions.COMMAND.usage());
            return 0;
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
            if (name.equals(ReplaySettings.MODEL)) {
                try {
                    for (ModelRun run : options.models()) {
                        learners.add(
                                new DeepMatchLearner(
                                        run.name(),
                                        new DeepMatchModel(run.config(), options.runtime())));
                    }
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
                        Baselines.create(
                                name,
                                options.baseModel().posThreshold(),
                                options.baseModel().negThreshold()));
            }
        }
        HarnessSettings settings =
                new HarnessSettings(
                        options.baseModel().windowLength(),
                        options.get(PrequentialSettings.DEDUP_MEMORY),
                        options.get(PrequentialSettings.BATCH_SIZE),
                        options.ns(),
                        options.baseModel().posThreshold(),
                        options.baseModel().negThreshold(),
                        SourceSettings.maxEvents(options.settings()),
                        options.get(ReplaySettings.CURVE_EVERY),
                        options.get(PrequentialSettings.METRICS_WINDOW),
                        PROGRESS_MILLIS);
        BadRows bad = new BadRows(err, MAX_REPORTED_BAD_ROWS);
        List<LearnerResult> results;
        try (EventSource source = SourceSettings.open(options.settings(), bad)) {
            results = new PrequentialHarness(settings, learners, err).run(source);
            for (PrequentialLearner l : learners) {
                if (l instanceof DeepMatchLearner m && m.model().catalogueFallback() != null) {
                    err.println(
                            "replay: warning: ranked on the Java kernel: "
                                    + m.model().catalogueFallback());
                }
            }
        } catch (BadFileException e) {
            err.println("replay: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println(
                    "replay: cannot read "
                            + options.get(SourceSettings.EVENTS)
                            + ": "
                            + e.getMessage());
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
                        results,
                        options.ns()[0],
                        options.get(PrequentialSettings.METRICS_WINDOW),
                        options.curvePng());
                err.println("replay: wrote " + options.curvePng());
            }
        } catch (IOException e) {
            err.println("replay: cannot write the learning curve: " + e.getMessage());
            return 1;
        }
        for (LearnerResult r : results) {
            err.println("replay: " + r.name() + " " + r.byContext().describe());
        }
        if (options.models().size() > 1
                || options.frontierCsv() != null
                || options.frontierPng() != null) {
            int code = reportFrontier(options, results, err);
            if (code != 0) {
                return code;
            }
        }
        boolean prefix = results.size() > 1;
        for (LearnerResult r : results) {
            out.println((prefix ? r.name() + ": " : "") + r.line());
        }
        return 0;
    }

    /** The sweep's trade-off: console lines on stderr, and the CSV and chart if asked for. */
    private static int reportFrontier(
            ReplayOptions options, List<LearnerResult> results, PrintStream err) {
        List<String> modelNames = options.models().stream().map(ModelRun::name).toList();
        List<LearnerResult> models = new ArrayList<>();
        List<LearnerResult> baselines = new ArrayList<>();
        for (LearnerResult r : results) {
            (modelNames.contains(r.name()) ? models : baselines).add(r);
        }
        if (models.size() != modelNames.size()) {
            return 0; // the model could not run; the baselines' lines still follow
        }
        Frontier frontier = Frontier.of(options.models(), models);
        for (String line : frontier.describe()) {
            err.println("replay: frontier " + line);
        }
        try {
            if (options.frontierCsv() != null) {
                frontier.writeCsv(options.frontierCsv(), baselines);
                err.println("replay: wrote " + options.frontierCsv());
            }
            if (options.frontierPng() != null) {
                FrontierChart.write(frontier, 0, baselines, options.frontierPng());
                err.println("replay: wrote " + options.frontierPng());
            }
        } catch (IOException e) {
            err.println("replay: cannot write the frontier: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
