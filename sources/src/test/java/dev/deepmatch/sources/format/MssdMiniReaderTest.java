package dev.deepmatch.sources.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MssdMiniReaderTest {
    @TempDir Path dir;

    @Test
    void replaysInReferenceOrderWithReferenceRates() throws IOException {
        // Session s starts at 37 s * s, plays are 180 s apart: sessions 1..6 interleave.
        Path file = dir.resolve("mini.csv");
        Files.writeString(
                file,
                "\"user_id\",\"song_id\",\"previous_song\",\"skipped\"\n"
                        + "1,10,-1,0\n"
                        + "1,11,10,1\n"
                        + "1,12,11,2\n"
                        + "2,20,-1,3\n"
                        + "2,21,20,4\n"
                        + "6,60,-1,4\n");
        List<PlaybackEvent> plays = new ArrayList<>();
        try (EventSource reader = new MssdMiniReader(file, BadRows.quiet())) {
            for (PlaybackEvent p; (p = reader.next()) != null; ) {
                plays.add(p);
            }
        }
        // times (s): 10@37 11@217 12@397 20@74 21@254 60@222
        assertThat(plays.stream().map(PlaybackEvent::getItemId).toList())
                .isEqualTo(List.of("10", "20", "11", "60", "21", "12"));
        assertThat(plays.stream().map(p -> p.getEventTimeMillis().toEpochMilli()).toList())
                .isEqualTo(List.of(37_000L, 74_000L, 217_000L, 222_000L, 254_000L, 397_000L));
        assertThat(plays.stream().map(PlaybackEvent::getPlayRate).toList())
                .isEqualTo(List.of(0.05, 1.00, 0.20, 0.90, 0.90, 0.60));
        assertThat(plays.get(4))
                .isEqualTo(
                        new PlaybackEvent(
                                "mini:2:1",
                                "2",
                                "21",
                                Instant.ofEpochMilli(254_000),
                                0.90,
                                IntentType.UNKNOWN,
                                null,
                                null));
    }

    @Test
    void badRowsAreSkippedAndDoNotShiftTheSessionClock() throws IOException {
        Path file = dir.resolve("mini.csv");
        Files.writeString(
                file,
                "user_id,song_id,previous_song,skipped\n"
                        + "1,10,-1,0\n"
                        + "1,11,10,7\n" // line 3: skipped out of range
                        + "x,11,10,1\n" // line 4: bad session number
                        + "1,,10,1\n" // line 5: empty song
                        + "1,12,10,4\n");
        BadRows bad = BadRows.quiet();
        try (EventSource reader = new MssdMiniReader(file, bad)) {
            assertThat(reader.next().getEventTimeMillis().toEpochMilli()).isEqualTo(37_000L);
            PlaybackEvent second = reader.next();
            assertThat(second.getItemId()).isEqualTo("12");
            assertThat(second.getEventTimeMillis().toEpochMilli()).isEqualTo(37_000L + 180_000L);
            assertThat(reader.next()).isNull();
        }
        assertThat(bad.total()).isEqualTo(3);
        assertThat(bad.count("skipped outside 0..4")).isEqualTo(1);
        assertThat(bad.count("bad number")).isEqualTo(1);
        assertThat(bad.count("empty id")).isEqualTo(1);
    }

    /** The counts the data README states for the shared file. */
    @Test
    void sharedFileHasTheDocumentedPlaysAndLabels() throws IOException {
        Path file = SharedData.file("mssd-mini/mini-spotify-data.csv");
        BadRows bad = BadRows.quiet();
        Set<String> users = new HashSet<>();
        Set<String> items = new HashSet<>();
        long plays = 0;
        long positives = 0;
        long negatives = 0;
        long lastTime = Long.MIN_VALUE;
        try (EventSource reader = new MssdMiniReader(file, bad)) {
            for (PlaybackEvent p; (p = reader.next()) != null; ) {
                plays++;
                items.add(p.getItemId());
                assertThat(p.getEventTimeMillis().toEpochMilli())
                        .as("stream order is by time")
                        .isGreaterThanOrEqualTo(lastTime);
                lastTime = p.getEventTimeMillis().toEpochMilli();
                // every play after a listener's first is a ranked example
                boolean example = !users.add(p.getUserId());
                if (example && p.getPlayRate() >= 0.8) {
                    positives++;
                } else if (example && p.getPlayRate() < 0.3) {
                    negatives++;
                }
            }
        }
        assertThat(bad.total()).isEqualTo(0);
        assertThat(plays).isEqualTo(193_693);
        assertThat(users).hasSize(10_000);
        assertThat(items).hasSize(5_792);
        assertThat(positives).isEqualTo(60_863);
        assertThat(negatives).isEqualTo(100_502);
    }
}
