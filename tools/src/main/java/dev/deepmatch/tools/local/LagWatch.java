package dev.deepmatch.tools.local;

import java.util.List;
import java.util.Locale;

/**
 * Notices a job falling behind: the consumer lag growing at every progress line for {@link
 * #INTERVALS} lines in a row. Says so once per {@link #INTERVALS} lines while it lasts.
 */
final class LagWatch {
    static final int INTERVALS = 3;

    private long previous = -1;
    private long streakStart;
    private int growing;

    /** One operator's busiest subtask: ms per second busy and back-pressured. */
    record Busy(String operator, double busyMsPerSecond, double backPressuredMsPerSecond) {}

    /**
     * The lag at a progress line; returns what to tell the user (null: nothing). {@code busy} is
     * asked only when there is something to say.
     */
    String observe(long lag, java.util.function.Supplier<List<Busy>> busy) {
        if (previous >= 0 && lag > previous) {
            if (growing == 0) {
                streakStart = previous;
            }
            growing++;
        } else {
            growing = 0;
        }
        previous = lag;
        if (growing == 0 || growing % INTERVALS != 0) {
            return null;
        }
        return String.format(
                        Locale.ROOT,
                        "local: falling behind: the lag grew at each of the last %d progress lines"
                                + " (%d -> %d)",
                        growing,
                        streakStart,
                        lag)
                + describe(busy.get());
    }

    /** "; busiest: Trainer 99% busy, ... " from the operators' busiest subtasks, or "". */
    static String describe(List<Busy> operators) {
        if (operators == null || operators.isEmpty()) {
            return "";
        }
        List<Busy> sorted =
                operators.stream()
                        .sorted((a, b) -> Double.compare(b.busyMsPerSecond(), a.busyMsPerSecond()))
                        .toList();
        StringBuilder out = new StringBuilder("; busiest: ");
        for (int i = 0; i < Math.min(2, sorted.size()); i++) {
            Busy b = sorted.get(i);
            if (i > 0) {
                out.append(", ");
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%s %.0f%% busy, %.0f%% back-pressured",
                            b.operator(),
                            b.busyMsPerSecond() / 10,
                            b.backPressuredMsPerSecond() / 10));
        }
        return out.toString();
    }
}
