package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the count-based baselines learn from the stream: how often each item was played, and for
 * each item what was played right after it, counted and signed (+1 well played, -1 skipped).
 */
final class StreamCounts {
    private final double posThreshold;
    private final double negThreshold;
    private final PopularityRanking popularity = new PopularityRanking();
    private final Map<String, Map<String, Successor>> successors = new HashMap<>();
    private long transitionsSeen;

    /** One next-item transition from a given item. */
    static final class Successor {
        final String item;
        final long firstSeen;
        int count;
        int signed;

        Successor(String item, long firstSeen) {
            this.item = item;
            this.firstSeen = firstSeen;
        }
    }

    StreamCounts(double posThreshold, double negThreshold) {
        this.posThreshold = posThreshold;
        this.negThreshold = negThreshold;
    }

    void learn(List<Example> batch) {
        for (Example e : batch) {
            if (e.historyLength() == 1) {
                // A user's first play is never a target; it is seen only here.
                popularity.increment(e.lastItem());
            }
            popularity.increment(e.targetItem());
            Successor s =
                    successors
                            .computeIfAbsent(e.lastItem(), k -> new HashMap<>())
                            .computeIfAbsent(
                                    e.targetItem(), k -> new Successor(k, transitionsSeen++));
            s.count++;
            if (e.targetRate() >= posThreshold) {
                s.signed++;
            } else if (e.targetRate() < negThreshold) {
                s.signed--;
            }
        }
    }

    PopularityRanking popularity() {
        return popularity;
    }

    double negThreshold() {
        return negThreshold;
    }

    /**
     * Up to {@code n} items played after {@code item}, by count, then the most popular items not
     * already listed.
     */
    List<String> transitionsThenPopular(String item, int n) {
        List<String> ranked = topSuccessors(item, n, s -> s.count, 1);
        return fillWithPopular(ranked, n);
    }

    /**
     * Items played after {@code item} whose signed weight is not negative, by that weight. Items
     * never played after it, or skipped there more often than played well, are not ranked at all.
     */
    List<String> signedTransitions(String item, int n) {
        return topSuccessors(item, n, s -> s.signed, 0);
    }

    /** The {@code n} most popular items so far. */
    List<String> popular(int n) {
        return fillWithPopular(new ArrayList<>(n), n);
    }

    private interface Weight {
        int of(Successor s);
    }

    /** Successors with at least {@code minWeight}, by weight, ties to the earlier transition. */
    private List<String> topSuccessors(String item, int n, Weight weight, int minWeight) {
        Map<String, Successor> next = successors.get(item);
        List<String> ranked = new ArrayList<>(n);
        if (next == null) {
            return ranked;
        }
        List<Successor> candidates = new ArrayList<>(next.size());
        for (Successor s : next.values()) {
            if (weight.of(s) >= minWeight) {
                candidates.add(s);
            }
        }
        // Ties go to the transition seen first; this reproduces the data README's figures.
        candidates.sort(
                Comparator.comparingInt((Successor s) -> -weight.of(s))
                        .thenComparingLong(s -> s.firstSeen));
        for (int i = 0; i < candidates.size() && i < n; i++) {
            ranked.add(candidates.get(i).item);
        }
        return ranked;
    }

    private List<String> fillWithPopular(List<String> ranked, int n) {
        Set<String> listed = new HashSet<>(ranked);
        for (int p = 0; p < popularity.size() && ranked.size() < n; p++) {
            String candidate = popularity.itemAt(p);
            if (!listed.contains(candidate)) {
                ranked.add(candidate);
            }
        }
        return ranked;
    }

    /** 0-based position of {@code target} in {@code ranked}, or -1. */
    static int rankOf(List<String> ranked, String target) {
        return ranked.indexOf(target);
    }
}
