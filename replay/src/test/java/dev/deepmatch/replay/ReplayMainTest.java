package dev.deepmatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayMainTest {
    private static final String LINE =
            "POS@10=(\\d\\.\\d{4}|NaN) NEG@10=(\\d\\.\\d{4}|NaN) POS@50=(\\d\\.\\d{4}|NaN)"
                    + " NEG@50=(\\d\\.\\d{4}|NaN) events=\\d+ seconds=\\d+\\.\\d";

    /** A model small enough for a test run; appended after a command's own options. */
    private static final String[] TINY_MODEL = {
        "--window-length",
        "5",
        "--hidden",
        "8",
        "--heads",
        "1",
        "--blocks",
        "1",
        "--ff-dim",
        "8",
        "--factor-dim",
        "4",
        "--negatives",
        "4",
        "--threads",
        "1"
    };

    @TempDir Path dir;
    private Path events;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeEvents() throws IOException {
        // Three users walking the same little playlist; two malformed rows.
        StringBuilder csv = new StringBuilder("user,item,ts,rate,intent\n");
        String[] playlist = {"p1", "p2", "p3", "p4", "p5", "p6"};
        long ts = 0;
        for (int round = 0; round < 10; round++) {
            for (String user : new String[] {"u1", "u2", "u3"}) {
                for (int i = 0; i < playlist.length; i++) {
                    csv.append(user + round)
                            .append(',')
                            .append(playlist[i])
                            .append(',')
                            .append(ts += 1000)
                            .append(',')
                            .append(i % 3 == 2 ? "0.05" : "0.9")
                            .append(",autoplay\n");
                }
            }
        }
        csv.append("u1,p1,1,2.0,\n");
        csv.append("u1,p1,1\n");
        events = dir.resolve("events.csv");
        Files.writeString(events, csv.toString());
    }

    private static String[] withTinyModel(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + TINY_MODEL.length);
        System.arraycopy(TINY_MODEL, 0, all, args.length, TINY_MODEL.length);
        return all;
    }

    private int run(String... args) {
        return ReplayMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneBaselinePrintsExactlyOneResultLineAndTheSkippedRows() {
        int code =
                run(
                        "--events",
                        events.toString(),
                        "--format",
                        "csv",
                        "--learner",
                        "transitions",
                        "--batch-size",
                        "4");
        assertThat(code).as("%s", err()).isEqualTo(0);
        List<String> lines = out().lines().toList();
        assertThat(lines).as("%s", out()).hasSize(1);
        assertThat(lines.get(0)).as("%s", lines.get(0)).matches(LINE);
        assertThat(lines.get(0)).as("%s", lines.get(0)).contains("events=180 ");
        assertThat(err())
                .as("%s", err())
                .contains("events.csv line 182: rate outside [0,1] (rate='2.0')");
        assertThat(err()).as("%s", err()).contains("events.csv line 183: missing column (rate)");
        assertThat(err())
                .as("%s", err())
                .contains("skipped rows: 2 (missing column: 1, rate outside [0,1]: 1)");
    }

    @Test
    void transitionsLearnThePlaylistButNotFromTheBatchBeingRanked() {
        // 30 sessions of 6 plays, one after the other: 150 examples, 90 positive (p2, p4, p5)
        // and 60 negative (p3, p6). With batches of 1 only the first session's transitions are
        // unknown when ranked: 87/90 and 58/60.
        assertThat(
                        run(
                                "--events",
                                events.toString(),
                                "--learner",
                                "transitions",
                                "--n",
                                "1",
                                "--batch-size",
                                "1"))
                .isEqualTo(0);
        assertThat(out()).as("%s", out()).startsWith("POS@1=0.9667 NEG@1=0.9667 events=180 ");
        // p4 is the only target after a skip (p3); p2, p5 are played and p3, p6 skipped after a
        // play.
        assertThat(err())
                .as("%s", err())
                .contains(
                        "replay: transitions after a play: POS@1=0.9667 NEG@1=0.9667"
                                + " (positives=60 negatives=60); after a skip: POS@1=0.9667"
                                + " NEG@1=NaN (positives=30 negatives=0)");
        // With batches of 64 the first batch (sessions 1-12 and four plays of session 13: 39
        // positive, 25 negative) is ranked before anything was learned: 51/90 and 35/60.
        out.reset();
        assertThat(run("--events", events.toString(), "--learner", "transitions", "--n", "1"))
                .isEqualTo(0);
        assertThat(out()).as("%s", out()).startsWith("POS@1=0.5667 NEG@1=0.5833 events=180 ");
    }

    @Test
    void baselinesAndTheModelSideBySideWithCurves() throws IOException {
        Path csv = dir.resolve("curve.csv");
        Path png = dir.resolve("curve.png");
        int code =
                run(
                        withTinyModel(
                                "--events",
                                events.toString(),
                                "--baselines",
                                "--batch-size",
                                "16",
                                "--curve-every",
                                "32",
                                "--curve-csv",
                                csv.toString(),
                                "--curve-png",
                                png.toString()));
        assertThat(code).as("%s", err()).isEqualTo(0);
        List<String> lines = out().lines().toList();
        assertThat(lines).as("%s", out()).hasSize(5);
        List<String> names =
                List.of(
                        "popular",
                        "transitions",
                        "transitions-signed",
                        "transitions-skip-aware",
                        "model");
        for (int i = 0; i < names.size(); i++) {
            assertThat(lines.get(i)).as("%s", lines.get(i)).matches(names.get(i) + ": " + LINE);
        }
        List<String> curve = Files.readAllLines(csv);
        assertThat(curve.get(0))
                .as("%s", curve.get(0))
                .startsWith("learner,examples,pos10_recent,neg10_recent,");
        assertThat(curve).as("5 learners x points at 32, 64, 96, 128, 150").hasSize(5 * 5 + 1);
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1100);
    }

    @Test
    void aSweepRunsEveryPointSideBySideAndDrawsTheFrontier() throws IOException {
        Path csv = dir.resolve("frontier.csv");
        Path png = dir.resolve("frontier.png");
        int code =
                run(
                        withTinyModel(
                                "--events",
                                events.toString(),
                                "--baselines",
                                "--batch-size",
                                "16",
                                "--neg-weights",
                                "0,0.5",
                                "--seeds",
                                "1,2",
                                "--ablate-rate-intent",
                                "--frontier-csv",
                                csv.toString(),
                                "--frontier-png",
                                png.toString()));
        assertThat(code).as("%s", err()).isEqualTo(0);
        List<String> lines = out().lines().toList();
        assertThat(lines).as("%s", out()).hasSize(4 + 2 * 2 * 2);
        assertThat(lines)
                .as("%s", out())
                .anyMatch(l -> l.startsWith("model neg-weight=0.5 seed=2 no-rate-intent: "));
        List<String> rows = Files.readAllLines(csv);
        assertThat(rows.get(0)).isEqualTo("variant,neg_weight,seeds,POS@10,NEG@10,POS@50,NEG@50");
        assertThat(rows).as("%s", String.join("\n", rows)).hasSize(1 + 4 + 4);
        assertThat(rows.get(1)).as("%s", rows.get(1)).startsWith("full,0.0,2,");
        assertThat(rows.get(4)).as("%s", rows.get(4)).startsWith("no-rate-intent,0.5,2,");
        assertThat(rows.get(5)).as("%s", rows.get(5)).startsWith("popular,,1,");
        assertThat(err())
                .as("%s", err())
                .contains("replay: frontier full            neg-weight=0.0   seeds=2");
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(600);
    }

    @Test
    void aSweepOfOnePointStillWritesItsFrontier() throws IOException {
        Path csv = dir.resolve("one.csv");
        int code =
                run(
                        withTinyModel(
                                "--events",
                                events.toString(),
                                "--batch-size",
                                "16",
                                "--seeds",
                                "3",
                                "--frontier-csv",
                                csv.toString()));
        assertThat(code).as("%s", err()).isEqualTo(0);
        List<String> rows = Files.readAllLines(csv);
        assertThat(rows).as("%s", String.join("\n", rows)).hasSize(2);
        double defaultWeight = ModelConfig.builder().build().negWeight();
        assertThat(rows.get(1)).as("%s", rows.get(1)).startsWith("full," + defaultWeight + ",1,");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out()).startsWith("usage: bin/learner replay");
    }

    @Test
    void wrongSettingsExitTwoNamingTheSetting() {
        String file = events.toString();
        assertUsageError("the generator never ends: give --max-events N, or --events");
        assertUsageError("unknown setting --bogus", "--events", file, "--bogus", "1");
        assertUsageError(
                "--format must be one of csv, mssd-mini, mssd, ratings, got 'tsv'",
                "--events",
                file,
                "--format",
                "tsv");
        assertUsageError(
                "--learner must be a string, one of model, popular, transitions,"
                        + " transitions-signed, transitions-skip-aware, got 'random'",
                "--events",
                file,
                "--learner",
                "random");
        assertUsageError(
                "--batch-size must be an integer in [1, 65536], got 'many'",
                "--events",
                file,
                "--batch-size",
                "many");
        assertUsageError(
                "--frontier-csv and --frontier-png need a sweep",
                "--events",
                file,
                "--frontier-png",
                "f.png");
        assertUsageError(
                "--neg-weights must be comma-separated numbers of at least 0, got '0.5,-1'",
                "--events",
                file,
                "--neg-weights",
                "0.5,-1");
        assertUsageError(
                "--n must be comma-separated integers of at least 1, got '10,x'",
                "--events",
                file,
                "--n",
                "10,x");
        assertUsageError(
                "--pos-threshold must be a number in [0, 1], got '1.5'",
                "--events",
                file,
                "--pos-threshold",
                "1.5");
        assertUsageError(
                "--neg-threshold (0.9) must not exceed --pos-threshold (0.8)",
                "--events",
                file,
                "--neg-threshold",
                "0.9");
        assertUsageError(
                "--learning-rate must be a number in [1.0E-9, 10], got 'fast'",
                "--events",
                file,
                "--learning-rate",
                "fast");
        assertUsageError("--max-events needs a value", "--events", file, "--max-events");
        assertUsageError(
                "--hidden (10) must be a multiple of --heads (3)",
                "--events",
                file,
                "--hidden",
                "10",
                "--heads",
                "3");
        assertUsageError(
                "--events " + dir.resolve("absent.csv") + " is not a readable file",
                "--events",
                dir.resolve("absent.csv").toString());
        assertUsageError(
                "--users is a generator setting; --events reads a file",
                "--events",
                file,
                "--users",
                "10");
    }

    private void assertUsageError(String message, String... args) {
        out.reset();
        err.reset();
        assertThat(run(args)).as("%s", err()).isEqualTo(2);
        assertThat(err()).as("%s", err()).contains("replay: " + message);
        assertThat(out()).isEqualTo("");
    }

    @Test
    void fileWithAWrongHeaderFailsWithAMessage() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "who,what\nu,i\n");
        assertThat(run("--events", bad.toString(), "--learner", "popular")).isEqualTo(1);
        assertThat(err())
                .as("%s", err())
                .contains("header lacks column 'user' required by format csv");
        assertThat(out()).isEqualTo("");
    }
}
