package dev.deepmatch.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(256, o.batch(), "bench's own default batch size");
        assertEquals(50_000, o.catalogue());
        assertEquals(3, o.steps());
        assertEquals(1, o.model().blocks());
        assertEquals(50, o.model().windowLength());
        assertEquals(100, o.model().negatives());
        assertEquals(Precision.DOUBLE, o.runtime().precision());
        assertEquals(Precision.FLOAT, BenchMain.parse(new String[0]).runtime().precision());
        assertEquals(64, BenchMain.parse(new String[] {"--batch-size", "64"}).batch());
    }

    @Test
    void wrongSettingsNameTheSetting() {
        UsageException e =
                assertThrows(
                        UsageException.class, () -> BenchMain.parse(new String[] {"--steps", "0"}));
        assertEquals("--steps must be an integer of at least 1, got '0'", e.getMessage());
        e = assertThrows(UsageException.class, () -> BenchMain.parse(new String[] {"--fast"}));
        assertTrue(e.getMessage().startsWith("unknown setting --fast"), e.getMessage());
        e =
                assertThrows(
                        UsageException.class,
                        () -> BenchMain.parse(new String[] {"--precision", "half"}));
        assertEquals("--precision must be one of double, float, got 'half'", e.getMessage());
        e =
                assertThrows(
                        UsageException.class,
                        () ->
                                BenchMain.parse(
                                        new String[] {
                                            "--catalogue", "10", "--catalogue-capacity", "5"
                                        }));
        assertEquals("--catalogue 10 exceeds the model's --catalogue-capacity 5", e.getMessage());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                BenchMain.run(
                        new String[] {"--heads", "0"},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(
                err.toString(StandardCharsets.UTF_8)
                        .contains("bench: --heads must be an integer in [1, 256], got '0'"));
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
        assertEquals(0, code);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("setting"));
        assertTrue(lines.get(1).startsWith("B=8 L=6 V=500 K=5 "), lines.get(1));
        // The reference model has no next-item head; the line says whether this run had one.
        assertTrue(lines.get(1).contains(" next-item=1.0 "), lines.get(1));
        assertTrue(lines.get(1).contains(" products=float "), lines.get(1));
        assertTrue(lines.get(2).matches("sequences/s=\\d+"), lines.get(2));
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
        assertEquals(1000, items.size());
    }
}
