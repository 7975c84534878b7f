package dev.deepmatch.replay.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(List.of("c", "b", "a"), order(r));
        r.increment("a");
        assertEquals(List.of("c", "b", "a"), order(r), "b reached 2 before a");
        r.increment("a");
        assertEquals(List.of("c", "a", "b"), order(r));
        assertEquals(3, r.count("a"));
        assertEquals(0, r.count("z"));
        assertEquals(1, r.positionOf("a"));
        assertEquals(Integer.MAX_VALUE, r.positionOf("z"));
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
            assertEquals(counts[Integer.parseInt(item.substring(1))], r.countAt(p));
            assertEquals(p, r.positionOf(item));
            if (p > 0) {
                assertEquals(true, r.countAt(p - 1) >= r.countAt(p), "sorted at " + p);
            }
        }
    }
}
