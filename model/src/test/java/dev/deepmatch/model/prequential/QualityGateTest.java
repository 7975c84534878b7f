package dev.deepmatch.model.prequential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.QualityGate.Transition;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QualityGateTest {

    private static final QualityGate.Rule RULE = new QualityGate.Rule(200, 2_000, 1_000, 0.3, 0.1);

    /** Feeds n positives hit with probability pos and n negatives hit with probability neg. */
    private static Transition feed(
            QualityGate gate, SplittableRandom r, int n, double pos, double neg) {
        Transition last = Transition.NONE;
        for (int i = 0; i < n; i++) {
            gate.add(true, r.nextDouble() < pos);
            gate.add(false, r.nextDouble() < neg);
            if (i % 50 == 49) {
                Transition t = gate.judge();
                if (t != Transition.NONE) {
                    last = t;
                }
            }
        }
        return last;
    }

    @Test
    void aSteadyStreamNeverHolds() {
        QualityGate gate = new QualityGate(RULE);
        SplittableRandom r = new SplittableRandom(1);
        assertThat(feed(gate, r, 20_000, 0.43, 0.17)).isEqualTo(Transition.NONE);
        assertThat(gate.held()).isFalse();
        assertThat(gate.trailingPos()).isBetween(0.40, 0.46);
    }

    @Test
    void aLearningModelRisingFromNothingIsLetThrough() {
        QualityGate gate = new QualityGate(RULE);
        SplittableRandom r = new SplittableRandom(2);
        for (int step = 0; step <= 40; step++) {
            assertThat(feed(gate, r, 500, 0.01 * step, 0.05)).isEqualTo(Transition.NONE);
        }
    }

    @Test
    void aPoisonedStreamHoldsAndItsEndResumes() {
        QualityGate gate = new QualityGate(RULE);
        SplittableRandom r = new SplittableRandom(3);
        feed(gate, r, 5_000, 0.43, 0.17);
        double before = gate.trailingPos();

        assertThat(feed(gate, r, 1_000, 0.05, 0.17)).isEqualTo(Transition.HOLD);
        assertThat(gate.held()).isTrue();
        // held: the bad stream does not pull the bar down however long it lasts
        feed(gate, r, 20_000, 0.05, 0.17);
        assertThat(gate.held()).isTrue();
        assertThat(gate.trailingPos()).isGreaterThan(before - 0.05);

        assertThat(feed(gate, r, 1_000, 0.43, 0.17)).isEqualTo(Transition.RESUME);
        assertThat(gate.held()).isFalse();
    }

    @Test
    void skipsRisingIntoTheTopHold() {
        QualityGate gate = new QualityGate(RULE);
        SplittableRandom r = new SplittableRandom(4);
        feed(gate, r, 5_000, 0.43, 0.17);
        assertThat(feed(gate, r, 1_000, 0.43, 0.45)).isEqualTo(Transition.HOLD);
    }

    @Test
    void aRestoredGateKeepsItsLevelsAndStaysHeld() {
        QualityGate gate = new QualityGate(RULE);
        SplittableRandom r = new SplittableRandom(5);
        feed(gate, r, 5_000, 0.43, 0.17);
        feed(gate, r, 1_000, 0.05, 0.17);
        QualityGate restored = new QualityGate(RULE);
        restored.restore(gate.snapshot());
        assertThat(restored.held()).isTrue();
        assertThat(restored.trailingPos()).isEqualTo(gate.trailingPos());
        // the recent window starts empty: nothing is decided until it is full again
        assertThat(restored.judge()).isEqualTo(Transition.NONE);
        assertThat(feed(restored, r, 1_000, 0.05, 0.17)).isEqualTo(Transition.NONE);
        assertThat(restored.held()).isTrue();
    }
}
