package dev.deepmatch.sources.format;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Format {@code csv}: header {@code user,item,ts,rate[,intent]} (any column order), replayed in
 * file order. {@code ts} is epoch milliseconds or ISO-8601 (an instant, a date-time with offset, or
 * a local date-time / date taken as UTC). {@code intent} is an {@link IntentType} symbol,
 * case-insensitive; absent or empty means UNKNOWN. The event id is {@code <file>:<line>}.
 */
public final class CsvPlayReader implements EventSource {
    private final CsvLines lines;
    private final BadRows bad;
    private final int user;
    private final int item;
    private final int ts;
    private final int rate;
    private final int intent;

    public CsvPlayReader(Path file, BadRows bad) throws IOException {
        this.lines = new CsvLines(file, bad);
        this.bad = bad;
        try {
            user = lines.requiredColumn("user", "csv");
            item = lines.requiredColumn("item", "csv");
            ts = lines.requiredColumn("ts", "csv");
            rate = lines.requiredColumn("rate", "csv");
        } catch (BadFileException e) {
            lines.close();
            throw e;
        }
        intent = lines.column("intent");
    }

    @Override
    public PlaybackEvent next() throws IOException {
        List<String> row;
        while ((row = lines.next()) != null) {
            try {
                return Plays.event(
                        Fields.id(row, user, "user"),
                        Fields.id(row, item, "item"),
                        parseTime(Fields.text(row, ts, "ts")),
                        Fields.rate(row, rate, "rate"),
                        intent < 0 || intent >= row.size()
                                ? IntentType.UNKNOWN
                                : parseIntent(row.get(intent).trim()),
                        lines.source() + ":" + lines.lineNumber());
            } catch (RowException e) {
                bad.skip(lines.source(), lines.lineNumber(), e.reason(), e.detail());
            }
        }
        return null;
    }

    static long parseTime(String v) throws RowException {
        if (v.isEmpty()) {
            throw new RowException("bad time", "ts is empty");
        }
        if (v.chars().allMatch(c -> c >= '0' && c <= '9') || v.matches("-\\d+")) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new RowException("bad time", "ts='" + v + "'");
            }
        }
        try {
            if (v.endsWith("Z") || v.endsWith("z")) {
                return Instant.parse(v.toUpperCase(Locale.ROOT)).toEpochMilli();
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            if (v.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(v).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new RowException("bad time", "ts='" + v + "'");
        }
    }

    static IntentType parseIntent(String v) throws RowException {
        if (v.isEmpty()) {
            return IntentType.UNKNOWN;
        }
        try {
            return IntentType.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RowException("bad intent", "intent='" + v + "'");
        }
    }

    @Override
    public String describe() {
        return "csv file " + lines.source();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
