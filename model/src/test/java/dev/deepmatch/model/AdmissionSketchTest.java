package dev.deepmatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdmissionSketchTest {
    @Test
    void countsEachIdsPlaysWithinAnAgeingPeriod() {
        AdmissionSketch sketch = new AdmissionSketch(12); // ages every 2,048 plays
        for (int play = 1; play <= 5; play++) {
            for (int id = 0; id < 300; id++) {
                assertThat(sketch.add("track-" + id))
                        .as("track-" + id)
                        .isGreaterThanOrEqualTo(play);
            }
            // 1,500 plays in all: no halving yet, and no under-count.
        }
        assertThat(sketch.bytes()).isEqualTo(4 << 12);
    }

    /**
     * A flood of one-off ids, 50 times the sketch's width, does not fill the counters: a new id's
     * first play is still counted as about one, so a threshold of three admits almost none.
     */
    @Test
    void oneOffIdsDoNotAddUpToAnAdmission() {
        AdmissionSketch sketch = new AdmissionSketch(10);
        for (int i = 0; i < 51_200; i++) {
            sketch.add("junk-" + i);
        }
        int atThree = 0;
        for (int i = 0; i < 1_000; i++) {
            if (sketch.add("new-" + i) >= 3) {
                atThree++;
            }
        }
        assertThat(atThree).isLessThan(20);
    }
}
