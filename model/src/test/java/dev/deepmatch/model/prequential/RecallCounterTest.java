package dev.deepmatch.model.prequential;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecallCounterTest {

    private static final double POS = 0.8;
    private static final double NEG = 0.3;

    @Test
    void countsHitsPerNAmongPositivesAndNegativesOnly() {
        RecallCounter c = new RecallCounter(new int[] {1, 5}, POS, NEG, 0);
        c.add(0, 1.0); // positive, hit at 1 and 5
        c.add(3, 0.9); // positive, hit at 5 only
        c.add(-1, 0.8); // positive (at the threshold), miss
        c.add(2, 0.1); // negative, hit at 5
        c.add(9, 0.0); // negative, miss (beyond both)
        c.add(0, 0.5); // neither
        assertThat(c.examples()).isEqualTo(6);
        assertThat(c.positives()).isEqualTo(3);
        assertThat(c.negatives()).isEqualTo(2);
        assertThat(c.pos(0)).isEqualTo(1 / 3.0);
        assertThat(c.pos(1)).isEqualTo(2 / 3.0);
        assertThat(c.neg(0)).isEqualTo(0.0);
        assertThat(c.neg(1)).isEqualTo(0.5);
        assertThat(c.figures()).isEqualTo("POS@1=0.3333 NEG@1=0.0000 POS@5=0.6667 NEG@5=0.5000");
    }

    @Test
    void theRecentFiguresCoverTheLastWPositivesAndNegativesEach() {
        RecallCounter c = new RecallCounter(new int[] {10}, POS, NEG, 3);
        assertThat(c.recentPos(0)).isNaN();
        c.add(0, 1.0);
        c.add(0, 1.0);
        c.add(0, 0.0); // a negative does not push positives out of their window
        c.add(-1, 1.0);
        assertThat(c.recentPos(0)).isEqualTo(2 / 3.0);
        c.add(-1, 1.0);
        c.add(-1, 1.0);
        assertThat(c.recentPos(0)).as("the hits have left the window").isEqualTo(0.0);
        assertThat(c.pos(0)).as("since the start they count").isEqualTo(2 / 5.0);
        assertThat(c.recentNeg(0)).isEqualTo(1.0);
    }

    /** A restart: a fresh counter given the totals of the old one goes on as if never stopped. */
    @Test
    void theTotalsOfAnEarlierRunCarryTheFiguresSinceTheStartOn() {
        RecallCounter whole = new RecallCounter(new int[] {1, 5}, POS, NEG, 4);
        RecallCounter before = new RecallCounter(new int[] {1, 5}, POS, NEG, 4);
        int[][] ranks = {{0, 9}, {3, 1}, {-1, 1}, {7, 0}, {2, 1}, {0, 0}, {4, 9}, {6, 1}};
        for (int[] r : ranks) {
            whole.add(r[0], r[1] / 10.0 + (r[1] == 9 ? 0.05 : 0));
            before.add(r[0], r[1] / 10.0 + (r[1] == 9 ? 0.05 : 0));
        }
        RecallCounter after = new RecallCounter(new int[] {1, 5}, POS, NEG, 4);
        after.addTotals(before.totals());
        for (int[] r : ranks) {
            whole.add(r[1] == 0 ? 0 : r[0], 0.95);
            after.add(r[1] == 0 ? 0 : r[0], 0.95);
        }
        assertThat(after.totals()).isEqualTo(whole.totals());
        assertThat(after.figures()).isEqualTo(whole.figures());
        assertThat(after.positives()).isEqualTo(whole.positives()).isGreaterThan(ranks.length);
        assertThat(after.negatives()).isEqualTo(whole.negatives()).isPositive();
    }

    @Test
    void figuresAreNaNBeforeAnythingWasRanked() {
        RecallCounter c = new RecallCounter(new int[] {10}, POS, NEG, 5);
        assertThat(c.pos(0)).isNaN();
        assertThat(c.neg(0)).isNaN();
        assertThat(c.figures()).isEqualTo("POS@10=NaN NEG@10=NaN");
    }
}
