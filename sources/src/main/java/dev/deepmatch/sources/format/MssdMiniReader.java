package dev.deepmatch.sources.format;

import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Format {@code mssd-mini}: the preprocessed Spotify file {@code user_id,song_id,previous_song,
 * skipped} (see {@code ../shared/data/README.md}), replayed in the reference stream order: session
 * {@code s} starts at {@code s * 37} s, its {@code k}-th play (0-based, counting the session's
 * readable rows in file order) happens at {@code s * 37 + k * 180} s, and plays are sorted by that
 * time (stable). The sort is why this reader, unlike the others, holds the whole file in memory
 * (about 200k rows for the shared file).
 *
 * <p>{@code skipped} (index of the first true MSSD skip flag, 4 if none) maps to the reference play
 * rates 0.05, 0.20, 0.60, 1.00, 0.90. Intent is UNKNOWN: the file has none.
 */
public final class MssdMiniReader implements EventSource {
    static final double[] RATE_BY_SKIPPED = {0.05, 0.20, 0.60, 1.00, 0.90};
    private static final long SESSION_OFFSET_MILLIS = 37_000;
    private static final long PLAY_SPACING_MILLIS = 180_000;

    private final TimeOrderedPlays plays = new TimeOrderedPlays();
    private final String source;

    public MssdMiniReader(Path file, BadRows bad) throws IOException {
        this.source = file.toString();
        try (CsvLines lines = new CsvLines(file, bad)) {
            int user = lines.requiredColumn("user_id", "mssd-mini");
            int song = lines.requiredColumn("song_id", "mssd-mini");
            int skip = lines.requiredColumn("skipped", "mssd-mini");
            Map<Long, Integer> playsPerSession = new HashMap<>();
            List<String> row;
            while ((row = lines.next()) != null) {
                try {
                    long session = Fields.integer(row, user, "user_id");
                    String item = Fields.id(row, song, "song_id");
                    long s = Fields.integer(row, skip, "skipped");
                    if (s < 0 || s >= RATE_BY_SKIPPED.length) {
                        throw new RowException("skipped outside 0..4", "skipped=" + s);
                    }
                    int k = playsPerSession.merge(session, 1, Integer::sum) - 1;
                    plays.add(
                            Long.toString(session),
                            item,
                            session * SESSION_OFFSET_MILLIS + k * PLAY_SPACING_MILLIS,
                            RATE_BY_SKIPPED[(int) s],
                            "mini:" + session + ":" + k);
                } catch (RowException e) {
                    bad.skip(lines.source(), lines.lineNumber(), e.reason(), e.detail());
                }
            }
        }
        plays.sort(); // stable, as the reference order requires
    }

    @Override
    public PlaybackEvent next() {
        return plays.next();
    }

    @Override
    public String describe() {
        return "mssd-mini file " + source;
    }

    @Override
    public void close() {}
}
