package dev.deepmatch.sources.format;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tally of rows a reader skipped. Each skipped row is reported with its line number and reason (the
 * first {@code maxReported} of them, so a broken file cannot flood the terminal) and counted by
 * reason for the summary printed at the end of a replay.
 */
public final class BadRows {
    private final PrintStream out;
    private final int maxReported;
    private final Map<String, Long> byReason = new TreeMap<>();
    private long total;

    public BadRows(PrintStream out, int maxReported) {
        this.out = out;
        this.maxReported = maxReported;
    }

    /** Collects silently; for tests and callers that inspect the counts. */
    public static BadRows quiet() {
        return new BadRows(null, 0);
    }

    /**
     * Records a skipped row.
     *
     * @param reason short, row-independent cause used as the counting key, e.g. "bad rate"
     * @param detail what was found on this row, e.g. the offending value
     */
    public void skip(String source, long lineNumber, String reason, String detail) {
        total++;
        byReason.merge(reason, 1L, Long::sum);
        if (out != null && total <= maxReported) {
            out.println(
                    "skipped "
                            + source
                            + " line "
                            + lineNumber
                            + ": "
                            + reason
                            + (detail.isEmpty() ? "" : " (" + detail + ")"));
            if (total == maxReported) {
                out.println("further skipped rows are only counted");
            }
        }
    }

    public long total() {
        return total;
    }

    public long count(String reason) {
        return byReason.getOrDefault(reason, 0L);
    }

    /** One line, e.g. {@code skipped rows: 3 (bad rate: 2, missing column: 1)}. */
    public String summary() {
        if (total == 0) {
            return "skipped rows: 0";
        }
        StringBuilder sb = new StringBuilder("skipped rows: ").append(total).append(" (");
        String sep = "";
        for (Map.Entry<String, Long> e : byReason.entrySet()) {
            sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
            sep = ", ";
        }
        return sb.append(')').toString();
    }
}
