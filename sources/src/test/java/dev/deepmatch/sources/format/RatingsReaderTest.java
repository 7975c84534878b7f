package dev.deepmatch.sources.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingsReaderTest {
    @TempDir Path dir;

    @Test
    void movieLensRatingsReplayInTimeOrderAsPlayRates() throws IOException {
        // MovieLens files are by user, not by time; timestamps are epoch seconds.
        Path file = dir.resolve("ratings.csv");
        Files.writeString(
                file,
                "userId,movieId,rating,timestamp\n"
                        + "1,31,2.5,300\n"
                        + "1,1029,5.0,100\n"
                        + "2,10,4.0,200\n"
                        + "2,17,0.5,100\n");
        List<PlaybackEvent> plays = read(file, BadRows.quiet());
        assertThat(plays.stream().map(PlaybackEvent::getItemId).toList())
                .as("by time, ties in file order")
                .isEqualTo(List.of("1029", "17", "10", "31"));
        assertThat(plays.stream().map(PlaybackEvent::getPlayRate).toList())
                .isEqualTo(List.of(1.0, 0.1, 0.8, 0.5));
        assertThat(plays.get(2))
                .isEqualTo(
                        new PlaybackEvent(
                                "ratings.csv:4",
                                "2",
                                "10",
                                Instant.ofEpochSecond(200),
                                0.8,
                                IntentType.UNKNOWN,
                                null,
                                null));
    }

    @Test
    void theIssuesHeaderTakesTimesAsCsvDoes() throws IOException {
        Path file = dir.resolve("ratings.csv");
        Files.writeString(
                file,
                "user,item,ts,rating\n"
                        + "u,b,2018-07-15T10:00:01Z,3\n"
                        + "u,a,2018-07-15T10:00:00Z,4\n");
        List<PlaybackEvent> plays = read(file, BadRows.quiet());
        assertThat(plays.stream().map(PlaybackEvent::getItemId).toList())
                .isEqualTo(List.of("a", "b"));
        assertThat(plays.get(0).getEventTimeMillis())
                .isEqualTo(Instant.parse("2018-07-15T10:00:00Z"));
        assertThat(plays.get(1).getPlayRate()).isEqualTo(0.6);
    }

    @Test
    void badRowsAreSkippedWithTheirReasonAndTheRestIsRead() throws IOException {
        Path file = dir.resolve("ratings.csv");
        Files.writeString(
                file,
                "userId,movieId,rating,timestamp\n"
                        + "1,31,6,100\n"
                        + "1,32,x,100\n"
                        + "1,33,4,soon\n"
                        + ",34,4,100\n"
                        + "1,35,4,100\n");
        BadRows bad = BadRows.quiet();
        assertThat(read(file, bad)).extracting(PlaybackEvent::getItemId).containsExactly("35");
        assertThat(bad.total()).isEqualTo(4);
        assertThat(bad.count("rating outside 0..5")).isEqualTo(1);
        assertThat(bad.count("bad number")).isEqualTo(2);
        assertThat(bad.count("empty id")).isEqualTo(1);
    }

    @Test
    void aHeaderWithoutRatingsNamesTheMissingColumn() throws IOException {
        Path file = dir.resolve("plays.csv");
        Files.writeString(file, "user,item,ts,rate\nu,a,1,0.5\n");
        assertThatThrownBy(() -> new RatingsReader(file, BadRows.quiet()))
                .isInstanceOf(BadFileException.class)
                .hasMessageContaining("header lacks column 'rating' required by format ratings");
    }

    private static List<PlaybackEvent> read(Path file, BadRows bad) throws IOException {
        List<PlaybackEvent> plays = new ArrayList<>();
        try (EventSource reader = new RatingsReader(file, bad)) {
            for (PlaybackEvent p; (p = reader.next()) != null; ) {
                plays.add(p);
            }
        }
        return plays;
    }
}
