package dev.deepmatch.sources.format;

import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;

/**
 * Format {@code mssd}: raw MSSD log rows (the 21 columns of the challenge's {@code log_*.csv}),
 * replayed in file order, one row in memory at a time. Each session is one user. Rate and intent
 * follow {@link MssdMapping}. Event time is the row's {@code date} (UTC midnight) plus {@code
 * hour_of_day} hours plus {@code (session_position - 1) * 180} s: MSSD has no finer clock, and the
 * 180 s spacing is the one mssd-mini uses. {@code date} is ISO {@code yyyy-MM-dd} or {@code
 * dd-MM-yy} (how the public log_mini.csv comes out of a spreadsheet round trip; MSSD covers 2018).
 * The event id is {@code <session_id>:<session_position>}.
 */
public final class MssdRawReader implements EventSource {
    private static final long HOUR_MILLIS = 3_600_000;
    private static final long PLAY_SPACING_MILLIS = 180_000;

    private final CsvLines lines;
    private final BadRows bad;
    private final int session;
    private final int position;
    private final int track;
    private final int skip1;
    private final int skip2;
    private final int skip3;
    private final int notSkipped;
    private final int hour;
    private final int date;
    private final int context;
    private final int reasonStart;

    public MssdRawReader(Path file, BadRows bad) throws IOException {
        this.lines = new CsvLines(file, bad);
        this.bad = bad;
        try {
            session = lines.requiredColumn("session_id", "mssd");
            position = lines.requiredColumn("session_position", "mssd");
            track = lines.requiredColumn("track_id_clean", "mssd");
            skip1 = lines.requiredColumn("skip_1", "mssd");
            skip2 = lines.requiredColumn("skip_2", "mssd");
            skip3 = lines.requiredColumn("skip_3", "mssd");
            notSkipped = lines.requiredColumn("not_skipped", "mssd");
            hour = lines.requiredColumn("hour_of_day", "mssd");
            date = lines.requiredColumn("date", "mssd");
            context = lines.requiredColumn("context_type", "mssd");
            reasonStart = lines.requiredColumn("hist_user_behavior_reason_start", "mssd");
        } catch (BadFileException e) {
            lines.close();
            throw e;
        }
    }

    @Override
    public PlaybackEvent next() throws IOException {
        List<String> row;
        while ((row = lines.next()) != null) {
            try {
                return toPlay(row);
            } catch (RowException e) {
                bad.skip(lines.source(), lines.lineNumber(), e.reason(), e.detail());
            }
        }
        return null;
    }

    private PlaybackEvent toPlay(List<String> row) throws RowException {
        if (row.size() != lines.headerWidth()) {
            throw new RowException(
                    "missing column", row.size() + " fields, header has " + lines.headerWidth());
        }
        String user = Fields.id(row, session, "session_id");
        long pos = Fields.integer(row, position, "session_position");
        if (pos < 1) {
            throw new RowException("bad session_position", "session_position=" + pos);
        }
        long h = Fields.integer(row, hour, "hour_of_day");
        if (h < 0 || h > 23) {
            throw new RowException("bad hour_of_day", "hour_of_day=" + h);
        }
        long day = parseDate(Fields.text(row, date, "date"));
        double rate =
                MssdMapping.rate(
                        Fields.flag(row, skip1, "skip_1"),
                        Fields.flag(row, skip2, "skip_2"),
                        Fields.flag(row, skip3, "skip_3"),
                        Fields.flag(row, notSkipped, "not_skipped"));
        return Plays.event(
                user,
                Fields.id(row, track, "track_id_clean"),
                day * 24 * HOUR_MILLIS + h * HOUR_MILLIS + (pos - 1) * PLAY_SPACING_MILLIS,
                rate,
                MssdMapping.intent(
                        Fields.text(row, reasonStart, "hist_user_behavior_reason_start"),
                        Fields.text(row, context, "context_type")),
                user + ":" + pos);
    }

    /** Epoch day of {@code yyyy-MM-dd} or {@code dd-MM-yy}. */
    static long parseDate(String v) throws RowException {
        try {
            if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(v).toEpochDay();
            }
            if (v.matches("\\d{2}-\\d{2}-\\d{2}")) {
                return LocalDate.of(
                                2000 + Integer.parseInt(v.substring(6, 8)),
                                Integer.parseInt(v.substring(3, 5)),
                                Integer.parseInt(v.substring(0, 2)))
                        .toEpochDay();
            }
        } catch (DateTimeException e) {
            // falls through to the row error below
        }
        throw new RowException("bad date", "date='" + v + "'");
    }

    @Override
    public String describe() {
        return "mssd file " + lines.source();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
