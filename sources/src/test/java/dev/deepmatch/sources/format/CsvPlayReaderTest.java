package dev.deepmatch.sources.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvPlayReaderTest {
    @TempDir Path dir;

    private Path write(String content) throws IOException {
        Path file = dir.resolve("plays.csv");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static List<PlaybackEvent> readAll(EventSource reader) throws IOException {
        List<PlaybackEvent> plays = new ArrayList<>();
        for (PlaybackEvent p; (p = reader.next()) != null; ) {
            plays.add(p);
        }
        return plays;
    }

    @Test
    void readsEpochAndIsoTimesAndIntentsInFileOrder() throws IOException {
        Path file =
                write(
                        "user,item,ts,rate,intent\n"
                                + "u1,a,1000,0.9,exact_track\n"
                                + "\n"
                                + "u2,\"b,1\",2018-07-15T10:00:00Z,0,\n"
                                + "u1,c,2018-07-15T10:00:00+02:00,1,Autoplay\n"
                                + "u1,d,2018-07-15,0.25\n");
        try (EventSource reader = new CsvPlayReader(file, BadRows.quiet())) {
            List<PlaybackEvent> plays = readAll(reader);
            assertThat(plays).hasSize(4);
            assertThat(plays.get(0))
                    .isEqualTo(
                            Plays.event(
                                    "u1", "a", 1000, 0.9, IntentType.EXACT_TRACK, "plays.csv:2"));
            assertThat(plays.get(1).getItemId()).isEqualTo("b,1");
            assertThat(plays.get(1).getEventTimeMillis().toEpochMilli()).isEqualTo(1531648800000L);
            assertThat(plays.get(1).getIntent()).isEqualTo(IntentType.UNKNOWN);
            assertThat(plays.get(2).getEventTimeMillis().toEpochMilli())
                    .isEqualTo(1531648800000L - 7_200_000);
            assertThat(plays.get(2).getIntent()).isEqualTo(IntentType.AUTOPLAY);
            assertThat(plays.get(3).getEventTimeMillis().toEpochMilli()).isEqualTo(1531612800000L);
            assertThat(plays.get(3).getIntent())
                    .as("missing intent field")
                    .isEqualTo(IntentType.UNKNOWN);
            assertThat(plays.get(3).getEventId())
                    .as("blank line still counts")
                    .isEqualTo("plays.csv:6");
        }
    }

    @Test
    void intentColumnIsOptional() throws IOException {
        Path file = write("item,user,rate,ts\nx,u,0.5,7\n");
        try (EventSource reader = new CsvPlayReader(file, BadRows.quiet())) {
            PlaybackEvent p = reader.next();
            assertThat(p)
                    .isEqualTo(Plays.event("u", "x", 7, 0.5, IntentType.UNKNOWN, "plays.csv:2"));
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void badRowsAreReportedWithLineNumberSkippedAndCounted() throws IOException {
        Path file =
                write(
                        "user,item,ts,rate,intent\n"
                                + "u1,a,1000,0.9,\n" // 2 ok
                                + "u1,a,1000,abc,\n" // 3 bad number
                                + "u1,a,1000,1.5,\n" // 4 out of range
                                + "u1,a,1000\n" // 5 missing column
                                + ",a,1000,0.5,\n" // 6 empty id
                                + "u1,a,yesterday,0.5,\n" // 7 bad time
                                + "u1,a,1000,0.5,sideways\n" // 8 bad intent
                                + "u1,a,1000,-0.1,\n" // 9 out of range
                                + "u1,b,2000,0.1,OTHER\n"); // 10 ok
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BadRows bad = new BadRows(new PrintStream(log, true, StandardCharsets.UTF_8), 20);
        try (EventSource reader = new CsvPlayReader(file, bad)) {
            List<PlaybackEvent> plays = readAll(reader);
            assertThat(plays.stream().map(PlaybackEvent::getItemId).toList())
                    .isEqualTo(List.of("a", "b"));
        }
        assertThat(bad.total()).isEqualTo(7);
        assertThat(bad.count("rate outside [0,1]")).isEqualTo(2);
        assertThat(bad.count("bad number")).isEqualTo(1);
        assertThat(bad.count("missing column")).isEqualTo(1);
        assertThat(bad.count("empty id")).isEqualTo(1);
        assertThat(bad.count("bad time")).isEqualTo(1);
        assertThat(bad.count("bad intent")).isEqualTo(1);
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).as("%s", text).contains("plays.csv line 3: bad number (rate='abc')");
        assertThat(text)
                .as("%s", text)
                .contains("plays.csv line 4: rate outside [0,1] (rate='1.5')");
        assertThat(text).as("%s", text).contains("plays.csv line 5: missing column (rate)");
        assertThat(text).as("%s", text).contains("plays.csv line 6: empty id (user)");
        assertThat(text)
                .as("%s", text)
                .contains("plays.csv line 8: bad intent (intent='sideways')");
        assertThat(bad.summary())
                .isEqualTo(
                        "skipped rows: 7 (bad intent: 1, bad number: 1, bad time: 1, empty id: 1,"
                                + " missing column: 1, rate outside [0,1]: 2)");
    }

    @Test
    void reportsOnlyTheFirstBadRowsButCountsAll() throws IOException {
        StringBuilder csv = new StringBuilder("user,item,ts,rate\n");
        for (int i = 0; i < 30; i++) {
            csv.append("u,i,1,x\n");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BadRows bad = new BadRows(new PrintStream(log, true, StandardCharsets.UTF_8), 5);
        try (EventSource reader = new CsvPlayReader(write(csv.toString()), bad)) {
            assertThat(reader.next()).isNull();
        }
        assertThat(bad.total()).isEqualTo(30);
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.startsWith("skipped")).count()).isEqualTo(5);
        assertThat(text).contains("further skipped rows are only counted");
    }

    @Test
    void headerWithoutRequiredColumnIsABadFile() throws IOException {
        Path file = write("user,item,time,rate\nu,i,1,0.5\n");
        assertThatThrownBy(() -> new CsvPlayReader(file, BadRows.quiet()))
                .isInstanceOf(BadFileException.class)
                .hasMessageContaining("'ts'");
    }

    @Test
    void nonUtf8LineIsSkippedWithItsLineNumber() throws IOException {
        Path file = dir.resolve("latin1.csv");
        Files.write(
                file,
                "user,item,ts,rate\nu,a,1,0.5\nu,caf\u00e9,2,0.5\nu,b,3,0.5"
                        .getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BadRows bad = new BadRows(new PrintStream(log, true, StandardCharsets.UTF_8), 20);
        try (EventSource reader = new CsvPlayReader(file, bad)) {
            assertThat(readAll(reader).stream().map(PlaybackEvent::getItemId).toList())
                    .isEqualTo(List.of("a", "b"));
        }
        assertThat(bad.count("not UTF-8")).isEqualTo(1);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("latin1.csv line 3: not UTF-8");
    }

    @Test
    void emptyFileIsABadFile() throws IOException {
        Path file = write("");
        assertThatThrownBy(() -> new CsvPlayReader(file, BadRows.quiet()))
                .isInstanceOf(BadFileException.class);
    }
}
