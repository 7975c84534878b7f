package dev.deepmatch.sources.format;

import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Format {@code ratings}: a rating log as plays, so a recommender's other kind of stream can be
 * replayed. Header {@code user,item,ts,rating} (any order, {@code ts} as in {@code csv}), or
 * MovieLens' {@code userId,movieId,rating,timestamp} ({@code timestamp} in epoch seconds). A rating
 * of 0 to 5 stars becomes the play rate stars / 5: 4 and 5 stars are plays kept (rate >= 0.8), and
 * the stream's negatives are ratings below 2.5 stars (run it with {@code --neg-threshold 0.5},
 * docs/REPLAY.md). Rating logs are seldom in time order (MovieLens is by user), so this reader
 * holds the file and replays it sorted by time, stably. Intent is UNKNOWN.
 */
public final class RatingsReader implements EventSource {
    static final double MAX_STARS = 5.0;

    private final TimeOrderedPlays plays = new TimeOrderedPlays();
    private final String source;

    public RatingsReader(Path file, BadRows bad) throws IOException {
        this.source = file.toString();
        try (CsvLines lines = new CsvLines(file, bad)) {
            boolean movieLens = lines.column("userId") >= 0 && lines.column("user") < 0;
            int user = lines.requiredColumn(movieLens ? "userId" : "user", "ratings");
            int item = lines.requiredColumn(movieLens ? "movieId" : "item", "ratings");
            int ts = lines.requiredColumn(movieLens ? "timestamp" : "ts", "ratings");
            int rating = lines.requiredColumn("rating", "ratings");
            List<String> row;
            while ((row = lines.next()) != null) {
                try {
                    String u = Fields.id(row, user, "user");
                    String i = Fields.id(row, item, "item");
                    long time =
                            movieLens
                                    ? Math.multiplyExact(Fields.integer(row, ts, "timestamp"), 1000)
                                    : CsvPlayReader.parseTime(Fields.text(row, ts, "ts"));
                    double stars = stars(Fields.text(row, rating, "rating"));
                    plays.add(
                            u,
                            i,
                            time,
                            stars / MAX_STARS,
                            lines.source() + ":" + lines.lineNumber());
                } catch (RowException e) {
                    bad.skip(lines.source(), lines.lineNumber(), e.reason(), e.detail());
                } catch (ArithmeticException e) {
                    bad.skip(lines.source(), lines.lineNumber(), "bad time", "timestamp too large");
                }
            }
        }
        plays.sort();
    }

    static double stars(String v) throws RowException {
        double stars;
        try {
            stars = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new RowException("bad number", "rating='" + v + "'");
        }
        if (!(stars >= 0 && stars <= MAX_STARS)) {
            throw new RowException("rating outside 0..5", "rating='" + v + "'");
        }
        return stars;
    }

    @Override
    public PlaybackEvent next() {
        return plays.next();
    }

    @Override
    public String describe() {
        return "ratings file " + source;
    }

    @Override
    public void close() {}
}
