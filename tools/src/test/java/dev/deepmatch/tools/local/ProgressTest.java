package dev.deepmatch.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void drainedOnlyWhenEveryEventAndExampleWentThrough() {
        Map<String, Double> m = metrics();
        assertThat(Progress.of(1000, m).drained()).isTrue();

        m.put("playsAccepted", 89.0); // one play still on its way to the window function
        assertThat(Progress.of(1000, m).drained()).isFalse();
        m.put("playsAccepted", 90.0);

        m.put("examplesIn", 79.0); // one example not yet at the trainer
        assertThat(Progress.of(1000, m).drained()).isFalse();
        m.put("examplesIn", 80.0);

        m.put("pendingExamples", 3.0); // an open batch, not yet ranked
        assertThat(Progress.of(1000, m).drained()).isFalse();
    }

    @Test
    void sameCountsComparesEveryCounter() {
        Progress a = Progress.of(1000, metrics());
        assertThat(Progress.of(2000, metrics()).sameCounts(a)).isTrue();
        assertThat(a.sameCounts(null)).isFalse();
        Map<String, Double> later = metrics();
        later.put("modelVersion", 8.0);
        assertThat(Progress.of(2000, later).sameCounts(a)).isFalse();
    }

    @Test
    void finalLineHasTheReplayFormatPlusVectors() {
        Progress p = Progress.of(12_345, metrics());
        assertThat(p.finalLine(12.345))
                .isEqualTo(
                        "POS@10=0.4000 NEG@10=0.2500 POS@50=0.6000 NEG@50=0.5000 events=100"
                                + " seconds=12.3 vectors=321");

        Map<String, Double> without50 = metrics();
        without50.remove("pos50Total");
        without50.remove("neg50Total");
        assertThat(Progress.of(1, without50).finalLine(1)).contains("POS@50=NaN NEG@50=NaN");
    }

    @Test
    void progressLineShowsRateAndLag() {
        Progress before = Progress.of(1_000, metrics());
        Map<String, Double> m = metrics();
        m.put("eventsIn", 300.0);
        String line = Progress.of(3_000, m).line(before, 350);
        assertThat(line).as("%s", line).contains("events=300 events/s=100 lag=50");
        assertThat(line).as("%s", line).contains("POS@10=0.3000 NEG@10=0.2000 version=7");
    }

    /** 100 events, 10 invalid, 90 handled, 80 examples, all ranked. */
    private static Map<String, Double> metrics() {
        Map<String, Double> m = new HashMap<>();
        m.put("eventsIn", 100.0);
        m.put("invalidEventsTotal", 10.0);
        m.put("playsAccepted", 88.0);
        m.put("latePlaysDropped", 1.0);
        m.put("duplicatePlaysDropped", 1.0);
        m.put("examplesOut", 80.0);
        m.put("examplesIn", 80.0);
        m.put("pendingExamples", 0.0);
        m.put("pos10", 0.3);
        m.put("neg10", 0.2);
        m.put("pos10Total", 0.4);
        m.put("neg10Total", 0.25);
        m.put("pos50Total", 0.6);
        m.put("neg50Total", 0.5);
        m.put("modelVersion", 7.0);
        m.put("vectorsEmitted", 321.0);
        return m;
    }
}
