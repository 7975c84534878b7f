package dev.deepmatch.tools.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagWatchTest {
    private static final List<LagWatch.Busy> BUSY =
            List.of(
                    new LagWatch.Busy("User behaviour windows", 120, 880),
                    new LagWatch.Busy("Trainer", 990, 0),
                    new LagWatch.Busy("Source", 40, 950));

    @Test
    void saysSoOnceTheLagGrewForThreeLinesAndNamesTheBusiestOperators() {
        LagWatch w = new LagWatch();
        List<String> said = new ArrayList<>();
        for (long lag : new long[] {4_000, 9_000, 20_000, 35_000, 30_000, 31_000}) {
            String s = w.observe(lag, () -> BUSY);
            if (s != null) {
                said.add(s);
            }
        }
        assertThat(said)
                .containsExactly(
                        "local: falling behind: the lag grew at each of the last 3 progress lines"
                                + " (4000 -> 35000); busiest: Trainer 99% busy, 0%"
                                + " back-pressured, User behaviour windows 12% busy, 88%"
                                + " back-pressured");
    }

    @Test
    void aSteadyOrShrinkingLagSaysNothingAndALongStreakRepeatsEveryThreeLines() {
        LagWatch w = new LagWatch();
        int said = 0;
        for (long lag : new long[] {500, 500, 400, 500, 400, 300}) {
            said += w.observe(lag, () -> BUSY) == null ? 0 : 1;
        }
        assertThat(said).isZero();
        for (long lag = 1_000; lag <= 7_000; lag += 1_000) { // 7 rising lines after 300
            said += w.observe(lag, () -> BUSY) == null ? 0 : 1;
        }
        assertThat(said).isEqualTo(2); // at the 3rd and the 6th rise
        assertThat(LagWatch.describe(List.of())).isEmpty();
    }
}
