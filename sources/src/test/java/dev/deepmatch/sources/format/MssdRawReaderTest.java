package dev.deepmatch.sources.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(0.05, MssdMapping.rate(true, true, true, false));
        assertEquals(0.20, MssdMapping.rate(false, true, true, false));
        assertEquals(0.60, MssdMapping.rate(false, false, true, false));
        assertEquals(0.90, MssdMapping.rate(false, false, false, true));
        assertEquals(0.90, MssdMapping.rate(false, false, false, false), "no flag set");
        assertEquals(0.05, MssdMapping.rate(true, false, false, true), "inconsistent flags");
    }

    @Test
    void intentFromReasonStartAndContext() {
        assertEquals(IntentType.EXACT_TRACK, MssdMapping.intent("clickrow", "radio"));
        assertEquals(IntentType.EXACT_TRACK, MssdMapping.intent("clickrow", "user_collection"));
        assertEquals(IntentType.RECOMMENDATION, MssdMapping.intent("trackdone", "radio"));
        assertEquals(
                IntentType.RECOMMENDATION,
                MssdMapping.intent("trackdone", "personalized_playlist"));
        assertEquals(
                IntentType.RECOMMENDATION, MssdMapping.intent("TrackDone", "editorial_playlist"));
        assertEquals(IntentType.AUTOPLAY, MssdMapping.intent("trackdone", "user_collection"));
        assertEquals(IntentType.AUTOPLAY, MssdMapping.intent("trackdone", "catalog"));
        assertEquals(IntentType.AUTOPLAY, MssdMapping.intent("trackdone", "charts"));
        assertEquals(IntentType.NAVIGATION, MssdMapping.intent("fwdbtn", "radio"));
        assertEquals(IntentType.NAVIGATION, MssdMapping.intent("backbtn", "catalog"));
        assertEquals(IntentType.OTHER, MssdMapping.intent("appload", "catalog"));
        assertEquals(IntentType.OTHER, MssdMapping.intent("remote", "catalog"));
        assertEquals(IntentType.UNKNOWN, MssdMapping.intent("", "catalog"));
    }

    @Test
    void readsTheSyntheticFixtureAndReportsItsBadRows() throws Exception {
        BadRows bad = BadRows.quiet();
        List<PlaybackEvent> plays;
        try (EventSource reader = new MssdRawReader(resource("mssd-fixture.csv"), bad)) {
            plays = readAll(reader);
        }
        assertEquals(3, plays.size());
        PlaybackEvent first = plays.get(0);
        assertEquals("s1", first.getUserId());
        assertEquals("t_a", first.getItemId());
        assertEquals(JULY_15_2018 + 16 * HOUR, first.getEventTimeMillis().toEpochMilli());
        assertEquals(0.90, first.getPlayRate());
        assertEquals(IntentType.EXACT_TRACK, first.getIntent());
        assertEquals("s1:1", first.getEventId());
        PlaybackEvent second = plays.get(1);
        assertEquals(
                JULY_15_2018 + 16 * HOUR + 180_000, second.getEventTimeMillis().toEpochMilli());
        assertEquals(0.05, second.getPlayRate());
        assertEquals(IntentType.RECOMMENDATION, second.getIntent());
        PlaybackEvent third = plays.get(2);
        assertEquals(
                JULY_15_2018 + DAY + 23 * HOUR + 2 * 180_000,
                third.getEventTimeMillis().toEpochMilli(),
                "dd-MM-yy");
        assertEquals(IntentType.NAVIGATION, third.getIntent());
        assertEquals(5, bad.total());
        assertEquals(1, bad.count("bad flag"));
        assertEquals(1, bad.count("bad date"));
        assertEquals(1, bad.count("bad hour_of_day"));
        assertEquals(1, bad.count("missing column"));
        assertEquals(1, bad.count("empty id"));
    }

    @Test
    void headerWithoutReasonStartIsABadFile() throws IOException {
        Path file = dir.resolve("raw.csv");
        Files.writeString(file, "session_id,session_position,track_id_clean\n");
        BadFileException e =
                assertThrows(
                        BadFileException.class, () -> new MssdRawReader(file, BadRows.quiet()));
        assertTrue(e.getMessage().contains("skip_1"), e.getMessage());
    }

    @Test
    void readsTheOfficialLogMiniHead() throws IOException {
        Path file = SharedData.file("mssd-raw-slices/log_mini_head.csv");
        BadRows bad = BadRows.quiet();
        List<PlaybackEvent> plays;
        try (EventSource reader = new MssdRawReader(file, bad)) {
            plays = readAll(reader);
        }
        assertEquals(0, bad.total(), bad.summary());
        assertEquals(201, plays.size());
        assertEquals(11, plays.stream().map(PlaybackEvent::getUserId).distinct().count());
        // Row 1: session 0_00006f66..., position 1, hour 16, date 15-07-18, not_skipped, trackdone
        // in an editorial playlist.
        PlaybackEvent p = plays.get(0);
        assertEquals("0_00006f66-33e5-4de7-a324-2d18e439fc1e", p.getUserId());
        assertEquals("t_0479f24c-27d2-46d6-a00c-7ec928f2b539", p.getItemId());
        assertEquals(JULY_15_2018 + 16 * HOUR, p.getEventTimeMillis().toEpochMilli());
        assertEquals(0.90, p.getPlayRate());
        assertEquals(IntentType.RECOMMENDATION, p.getIntent());
        // Within a session, time follows session_position.
        for (int i = 1; i < plays.size(); i++) {
            if (plays.get(i).getUserId().equals(plays.get(i - 1).getUserId())) {
                assertTrue(
                        plays.get(i).getEventTimeMillis().toEpochMilli()
                                > plays.get(i - 1).getEventTimeMillis().toEpochMilli());
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
        assertEquals(0, bad.total(), bad.summary());
        assertEquals(1180, plays);
        // Counted from the slice's columns with awk: 122 clickrow; 152 trackdone in recommending
        // contexts, 266 elsewhere; 633 fwdbtn/backbtn; 7 other reasons.
        assertEquals(122, intents.get(IntentType.EXACT_TRACK));
        assertEquals(152, intents.get(IntentType.RECOMMENDATION));
        assertEquals(266, intents.get(IntentType.AUTOPLAY));
        assertEquals(633, intents.get(IntentType.NAVIGATION));
        assertEquals(7, intents.get(IntentType.OTHER));
        assertNull(intents.get(IntentType.UNKNOWN));
    }
}
