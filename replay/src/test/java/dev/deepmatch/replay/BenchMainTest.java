package dev.deepmatch.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMainTest {
    @Test
    void parsesDefaultsAndModelSettings() throws UsageException {
        BenchMain.Options o =
                BenchMain.parse(
                        new String[] {"--blocks", "1", "--steps", "3", "--precision", "double"});
        assertThat(o.batch()).as("bench's own default batch size").isEqualTo(256);
        assertThat(o.catalogue()).isEqualTo(50_000);
        assertThat(o.steps()).isEqualTo(3);
        assertThat(o.model().blocks()).isEqualTo(1);
        assertThat(o.model().windowLength()).isEqualTo(50);
        assertThat(o.model().negatives()).isEqualTo(100);
        assertThat(o.runtime().precision()).isEqualTo(Precision.DOUBLE);
        assertThat(BenchMain.parse(new String[0]).runtime().precision()).isEqualTo(Precision.FLOAT);
        assertThat(BenchMain.parse(new String[] {"--batch-size", "64"}).batch()).isEqualTo(64);
    }

    @Test
    void wrongSettingsNameTheSetting() {
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--steps", "0"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("--steps must be an integer of at least 1, got '0'");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--fast"}))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown setting --fast");
        assertThatThrownBy(() -> BenchMain.parse(new String[] {"--precision", "half"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("--precision must be one of double, float, got 'half'");
        assertThatThrownBy(
                        () ->
                                BenchMain.parse(
                                        new String[] {
                                            "--catalogue", "10", "--catalogue-capacity", "5"
                                        }))
                .isInstanceOf(UsageException.class)
                .hasMessage("--catalogue 10 exceeds the model's --catalogue-capacity 5");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                BenchMain.run(
                        new String[] {"--heads", "0"},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("bench: --heads must be an integer in [1, 256], got '0'");
    }

    @Test
    void tinyBenchEndsWithTheThroughputLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                BenchMain.run(
                        new String[] {
                            "--batch-size", "8", "--catalogue", "500", "--warmup", "1",
                            "--steps", "2", "--window-length", "6", "--hidden", "8",
                            "--heads", "1", "--blocks", "1", "--ff-dim", "8",
                            "--negatives", "5", "--threads", "1"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream()));
        assertThat(code).isEqualTo(0);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("%s", lines.toString()).hasSize(5);
        assertThat(lines.get(0)).startsWith("setting");
        assertThat(lines.get(1)).as("%s", lines.get(1)).startsWith("B=8 L=6 V=500 K=5 ");
        // The reference model has no next-item head; the line says whether this run had one.
        assertThat(lines.get(1)).as("%s", lines.get(1)).contains(" next-item=1.0 ");
        assertThat(lines.get(1)).as("%s", lines.get(1)).contains(" successor=64 ");
        assertThat(lines.get(1)).as("%s", lines.get(1)).contains(" products=float ");
        // Every admitted item's vector, and the whole model through its codec and back.
        assertThat(lines.get(2))
                .as("%s", lines.get(2))
                .matches("full refresh: 500 item vectors in [0-9.]+ ms \\(.*");
        assertThat(lines.get(3))
                .as("%s", lines.get(3))
                .matches(
                        "model state: [1-9]\\d* shards, [0-9.]+ MB, encoded in \\d+ ms, restored in"
                                + " \\d+ ms; heap held by the model -?\\d+ MB");
        assertThat(lines.get(4)).as("%s", lines.get(4)).matches("sequences/s=\\d+");
    }

    @Test
    void admissionBatchesNameEveryItem() {
        BatchGenerator g = new BatchGenerator(1000, 9, 1);
        java.util.Set<String> items = new java.util.HashSet<>();
        for (var batch : g.admissionBatches(16)) {
            for (var e : batch) {
                for (int i = 0; i < e.historyLength(); i++) {
                    items.add(e.historyItem(i));
                }
                items.add(e.targetItem());
            }
        }
        assertThat(items).hasSize(1000);
    }
}
