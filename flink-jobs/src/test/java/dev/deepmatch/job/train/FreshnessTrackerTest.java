package dev.deepmatch.job.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTrackerTest {
    private final FreshnessTracker tracker = new FreshnessTracker();
    private final List<Long> measured = new ArrayList<>();

    @Test
    void aPlayIsMeasuredWhenTheCheckpointAfterItsEmissionCompletes() {
        tracker.trained(1_000);
        tracker.trained(1_500);
        tracker.completed(1, 2_000, measured::add);
        assertThat(measured).as("not emitted yet").isEmpty();

        tracker.emitted();
        tracker.trained(1_800); // after the emission: waits for the next one
        tracker.barrier(1);
        tracker.completed(1, 3_000, measured::add);
        assertThat(measured).containsExactly(2_000L, 1_500L);

        tracker.emitted();
        tracker.barrier(2);
        tracker.completed(2, 4_000, measured::add);
        assertThat(measured).containsExactly(2_000L, 1_500L, 2_200L);
        assertThat(tracker.held()).isZero();
    }

    @Test
    void anAbortedCheckpointsPlaysCountWithTheNextCompletedOne() {
        tracker.trained(1_000);
        tracker.emitted();
        tracker.barrier(5); // checkpoint 5 is aborted: its transaction commits with 6
        tracker.trained(2_000);
        tracker.emitted();
        tracker.barrier(6);
        tracker.completed(6, 7_000, measured::add);
        assertThat(measured).containsExactly(6_000L, 5_000L);
    }

    @Test
    void aPlayIsNotMeasuredBeforeItsOwnCheckpointCompletes() {
        tracker.trained(1_000);
        tracker.emitted();
        tracker.barrier(3);
        tracker.completed(2, 5_000, measured::add); // an older checkpoint completing late
        assertThat(measured).isEmpty();
        tracker.completed(3, 6_000, measured::add);
        assertThat(measured).containsExactly(5_000L);
    }

    @Test
    void unknownArrivalsAreSkippedAndFailingCheckpointsHoldBoundedState() {
        tracker.trained(0);
        tracker.trained(Long.MIN_VALUE);
        tracker.emitted();
        tracker.barrier(1);
        assertThat(tracker.held()).isZero();

        for (long cp = 1; cp <= 100; cp++) {
            tracker.trained(cp);
            tracker.emitted();
            tracker.barrier(cp); // none completes
        }
        assertThat(tracker.held()).isEqualTo(100);
        tracker.completed(99, 1_000, measured::add);
        assertThat(measured)
                .as("folded into checkpoint 100, measured late not early")
                .hasSize(FreshnessTracker.MAX_AWAITING - 1);
        tracker.completed(100, 1_000, measured::add);
        assertThat(measured).hasSize(100);
    }
}
