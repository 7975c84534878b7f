package dev.deepmatch.replay.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PopularityRankingTest {
    private static List<String> order(PopularityRanking r) {
        List<String> items = new ArrayList<>();
        for (int p = 0; p < r.size(); p++) {
            items.add(r.itemAt(p));
        }
        return items;
    }

    @Test
    void ordersByCountAndTiesByWhoReachedTheCountFirst() {
        PopularityRanking r = new PopularityRanking();
        for (String item : List.of("a", "b", "b", "c", "c", "c")) {
            r.increment(item);
        }
        assertThat(order(r)).isEqualTo(List.of("c", "b", "a"));
        r.increment("a");
        assertThat(order(r)).as("b reached 2 before a").isEqualTo(List.of("c", "b", "a"));
        r.increment("a");
        assertThat(order(r)).isEqualTo(List.of("c", "a", "b"));
        assertThat(r.count("a")).isEqualTo(3);
        assertThat(r.count("z")).isEqualTo(0);
        assertThat(r.positionOf("a")).isEqualTo(1);
        assertThat(r.positionOf("z")).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void staysSortedUnderManyRandomIncrements() {
        PopularityRanking r = new PopularityRanking();
        Random random = new Random(7);
        int[] counts = new int[3000];
        for (int i = 0; i < 200_000; i++) {
            int item = (int) (Math.pow(random.nextDouble(), 3) * counts.length);
            counts[item]++;
            r.increment("i" + item);
        }
        for (int p = 0; p < r.size(); p++) {
            String item = r.itemAt(p);
            assertThat(r.countAt(p)).isEqualTo(counts[Integer.parseInt(item.substring(1))]);
            assertThat(r.positionOf(item)).isEqualTo(p);
            if (p > 0) {
                assertThat(r.countAt(p - 1))
                        .as("sorted at " + p)
                        .isGreaterThanOrEqualTo(r.countAt(p));
            }
        }
    }
}
