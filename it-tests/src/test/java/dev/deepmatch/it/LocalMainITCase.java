package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.tools.local.LocalMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/learner local} as a user runs it, on a small replay file. */
class LocalMainITCase {

    private static final Pattern FINAL_LINE =
            Pattern.compile(
                    "POS@10=(\\d\\.\\d{4}) NEG@10=(\\d\\.\\d{4}) POS@50=(\\S+) NEG@50=(\\S+)"
                            + " events=(\\d+) seconds=(\\d+\\.\\d) vectors=(\\d+)");

    @Test
    void replaysAFileAndEndsWithTheReplayResultLine(@TempDir Path dir) throws Exception {
        // 40 listeners with 30 plays each over 25 tracks, every 5th play skipped
        StringBuilder csv = new StringBuilder("user,item,ts,rate,intent\n");
        int rows = 0;
        for (int k = 0; k < 30; k++) {
            for (int u = 0; u < 40; u++) {
                double rate = k % 5 == 4 ? 0.1 : 0.95;
                csv.append(
                        "user"
                                + u
                                + ",track"
                                + ((u + k) % 25)
                                + ","
                                + (k * 1000 + u)
                                + ","
                                + rate
                                + ",AUTOPLAY\n");
                rows++;
            }
        }
        Path file = dir.resolve("plays.csv");
        Files.writeString(file, csv);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit =
                    LocalMain.run(
                            new String[] {
                                "--events", file.toString(), "--format", "csv",
                                "--web-port", "0", "--progress-interval", "2 s",
                                "--batch-size", "32", "--emission-interval", "1 s"
                            });
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        stdout.print(out);
        assertThat(exit).as("%s", out).isEqualTo(0);
        String[] lines = out.strip().split("\n");
        Matcher m = FINAL_LINE.matcher(lines[lines.length - 1]);
        assertThat(m.matches()).as("last line: %s", lines[lines.length - 1]).isTrue();
        assertThat(Long.parseLong(m.group(5)))
                .as("every event of the file processed")
                .isEqualTo(rows);
        assertThat(Long.parseLong(m.group(7))).as("no vectors emitted").isGreaterThan(0);
        assertThat(out).as("no progress line: %s", out).contains("events/s=");
    }

    /** Mistakes are named, with exit code 2, before the broker or the job start. */
    @Test
    void aWrongSettingIsNamedAndNothingStarts() throws Exception {
        assertRejected(
                "local: --batch-size must be an integer in [1, 65536], got '0'",
                "--batch-size",
                "0");
        assertRejected("local: --events f.csv is not a readable file", "--events", "f.csv");
        assertRejected(
                "local: --format must be one of csv, mssd-mini, mssd, ratings, got 'tsv'",
                "--events",
                "f.csv",
                "--format",
                "tsv");
        assertRejected("local: unknown setting --bogus", "--bogus", "1");
        assertRejected("local runs its own Kafka broker", "--bootstrap-servers", "h:9092");
    }

    private static void assertRejected(String message, String... args) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = LocalMain.run(args);
        } finally {
            System.setErr(stderr);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("%s", err).isEqualTo(2);
        assertThat(err).as("%s", err).contains(message);
        assertThat(err).as("something started: %s", err).doesNotContain("starting Kafka");
        assertThat(err)
                .as("a stack trace for a user's mistake: %s", err)
                .doesNotContain("Exception");
    }
}
