package dev.deepmatch.sources.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SharedData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MssdRawReaderTest {
    private static final long DAY = 86_400_000L;
    private static final long HOUR = 3_600_000L;
    private static final long JULY_15_2018 = 1531612800000L;

    @TempDir Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(MssdRawReaderTest.class.getResource("/" + name).toURI());
    }

    private static List<PlaybackEvent> readAll(EventSource reader) throws IOException {
        List<PlaybackEvent> plays = new ArrayList<>();
        for (PlaybackEvent p; (p = reader.next()) != null; ) {
            plays.add(p);
        }
        return plays;
    }

    @Test
    void rateIsTheFirstTrueSkipFlag() {
        assertThat(MssdMapping.rate(true, true, true, false)).isEqualTo(0.05);
        assertThat(MssdMapping.rate(false, true, true, false)).isEqualTo(0.20);
        assertThat(MssdMapping.rate(false, false, true, false)).isEqualTo(0.60);
        assertThat(MssdMapping.rate(false, false, false, true)).isEqualTo(0.90);
        assertThat(MssdMapping.rate(false, false, false, false)).as("no flag set").isEqualTo(0.90);
        assertThat(MssdMapping.rate(true, false, false, true))
                .as("inconsistent flags")
                .isEqualTo(0.05);
    }

    @Test
    void intentFromReasonStartAndContext() {
        assertThat(MssdMapping.intent("clickrow", "radio")).isEqualTo(IntentType.EXACT_TRACK);
        assertThat(MssdMapping.intent("clickrow", "user_collection"))
                .isEqualTo(IntentType.EXACT_TRACK);
        assertThat(MssdMapping.intent("trackdone", "radio")).isEqualTo(IntentType.RECOMMENDATION);
        assertThat(MssdMapping.intent("trackdone", "personalized_playlist"))
                .isEqualTo(IntentType.RECOMMENDATION);
        assertThat(MssdMapping.intent("TrackDone", "editorial_playlist"))
                .isEqualTo(IntentType.RECOMMENDATION);
        assertThat(MssdMapping.intent("trackdone", "user_collection"))
                .isEqualTo(IntentType.AUTOPLAY);
        assertThat(MssdMapping.intent("trackdone", "catalog")).isEqualTo(IntentType.AUTOPLAY);
        assertThat(MssdMapping.intent("trackdone", "charts")).isEqualTo(IntentType.AUTOPLAY);
        assertThat(MssdMapping.intent("fwdbtn", "radio")).isEqualTo(IntentType.NAVIGATION);
        assertThat(MssdMapping.intent("backbtn", "catalog")).isEqualTo(IntentType.NAVIGATION);
        assertThat(MssdMapping.intent("appload", "catalog")).isEqualTo(IntentType.OTHER);
        assertThat(MssdMapping.intent("remote", "catalog")).isEqualTo(IntentType.OTHER);
        assertThat(MssdMapping.intent("", "catalog")).isEqualTo(IntentType.UNKNOWN);
    }

    @Test
    void readsTheSyntheticFixtureAndReportsItsBadRows() throws Exception {
        BadRows bad = BadRows.quiet();
        List<PlaybackEvent> plays;
        try (EventSource reader = new MssdRawReader(resource("mssd-fixture.csv"), bad)) {
            plays = readAll(reader);
        }
        assertThat(plays).hasSize(3);
        PlaybackEvent first = plays.get(0);
        assertThat(first.getUserId()).isEqualTo("s1");
        assertThat(first.getItemId()).isEqualTo("t_a");
        assertThat(first.getEventTimeMillis().toEpochMilli()).isEqualTo(JULY_15_2018 + 16 * HOUR);
        assertThat(first.getPlayRate()).isEqualTo(0.90);
        assertThat(first.getIntent()).isEqualTo(IntentType.EXACT_TRACK);
        assertThat(first.getEventId()).isEqualTo("s1:1");
        PlaybackEvent second = plays.get(1);
        assertThat(second.getEventTimeMillis().toEpochMilli())
                .isEqualTo(JULY_15_2018 + 16 * HOUR + 180_000);
        assertThat(second.getPlayRate()).isEqualTo(0.05);
        assertThat(second.getIntent()).isEqualTo(IntentType.RECOMMENDATION);
        PlaybackEvent third = plays.get(2);
        assertThat(third.getEventTimeMillis().toEpochMilli())
                .as("dd-MM-yy")
                .isEqualTo(JULY_15_2018 + DAY + 23 * HOUR + 2 * 180_000);
        assertThat(third.getIntent()).isEqualTo(IntentType.NAVIGATION);
        assertThat(bad.total()).isEqualTo(5);
        assertThat(bad.count("bad flag")).isEqualTo(1);
        assertThat(bad.count("bad date")).isEqualTo(1);
        assertThat(bad.count("bad hour_of_day")).isEqualTo(1);
        assertThat(bad.count("missing column")).isEqualTo(1);
        assertThat(bad.count("empty id")).isEqualTo(1);
    }

    @Test
    void headerWithoutReasonStartIsABadFile() throws IOException {
        Path file = dir.resolve("raw.csv");
        Files.writeString(file, "session_id,session_position,track_id_clean\n");
        assertThatThrownBy(() -> new MssdRawReader(file, BadRows.quiet()))
                .isInstanceOf(BadFileException.class)
                .hasMessageContaining("skip_1");
    }

    @Test
    void readsTheOfficialLogMiniHead() throws IOException {
        Path file = SharedData.file("mssd-raw-slices/log_mini_head.csv");
        BadRows bad = BadRows.quiet();
        List<PlaybackEvent> plays;
        try (EventSource reader = new MssdRawReader(file, bad)) {
            plays = readAll(reader);
        }
        assertThat(bad.total()).as("%s", bad.summary()).isEqualTo(0);
        assertThat(plays).hasSize(201);
        assertThat(plays.stream().map(PlaybackEvent::getUserId).distinct().count()).isEqualTo(11);
        // Row 1: session 0_00006f66..., position 1, hour 16, date 15-07-18, not_skipped, trackdone
        // in an editorial playlist.
        PlaybackEvent p = plays.get(0);
        assertThat(p.getUserId()).isEqualTo("0_00006f66-33e5-4de7-a324-2d18e439fc1e");
        assertThat(p.getItemId()).isEqualTo("t_0479f24c-27d2-46d6-a00c-7ec928f2b539");
        assertThat(p.getEventTimeMillis().toEpochMilli()).isEqualTo(JULY_15_2018 + 16 * HOUR);
        assertThat(p.getPlayRate()).isEqualTo(0.90);
        assertThat(p.getIntent()).isEqualTo(IntentType.RECOMMENDATION);
        // Within a session, time follows session_position.
        for (int i = 1; i < plays.size(); i++) {
            if (plays.get(i).getUserId().equals(plays.get(i - 1).getUserId())) {
                assertThat(plays.get(i).getEventTimeMillis().toEpochMilli())
                        .isGreaterThan(plays.get(i - 1).getEventTimeMillis().toEpochMilli());
            }
        }
    }

    @Test
    void readsThe2018Slice() throws IOException {
        Path file = SharedData.file("mssd-raw-slices/mssd_slice_2018-07.csv");
        BadRows bad = BadRows.quiet();
        Map<IntentType, Integer> intents = new EnumMap<>(IntentType.class);
        int plays = 0;
        try (EventSource reader = new MssdRawReader(file, bad)) {
            for (PlaybackEvent p; (p = reader.next()) != null; ) {
                plays++;
                intents.merge(p.getIntent(), 1, Integer::sum);
            }
        }
        assertThat(bad.total()).as("%s", bad.summary()).isEqualTo(0);
        assertThat(plays).isEqualTo(1180);
        // Counted from the slice's columns with awk: 122 clickrow; 152 trackdone in recommending
        // contexts, 266 elsewhere; 633 fwdbtn/backbtn; 7 other reasons.
        assertThat(intents.get(IntentType.EXACT_TRACK)).isEqualTo(122);
        assertThat(intents.get(IntentType.RECOMMENDATION)).isEqualTo(152);
        assertThat(intents.get(IntentType.AUTOPLAY)).isEqualTo(266);
        assertThat(intents.get(IntentType.NAVIGATION)).isEqualTo(633);
        assertThat(intents.get(IntentType.OTHER)).isEqualTo(7);
        assertThat(intents.get(IntentType.UNKNOWN)).isNull();
    }
}
