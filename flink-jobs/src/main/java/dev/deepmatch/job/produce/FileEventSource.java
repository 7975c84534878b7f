package dev.deepmatch.job.produce;

import dev.deepmatch.replay.format.BadRows;
import dev.deepmatch.replay.format.EventFormat;
import dev.deepmatch.replay.format.Play;
import dev.deepmatch.replay.format.PlayReader;
import dev.deepmatch.schema.PlaybackEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A replay file read by the replay module's readers, so the stream order, event ids and play rates
 * are exactly those of {@code bin/learner replay} on the same file. Unreadable rows are reported
 * with their line number and skipped by the reader.
 */
public final class FileEventSource implements EventSource {

    private final Path file;
    private final EventFormat format;
    private final BadRows badRows;
    private final PlayReader reader;

    public FileEventSource(Path file, EventFormat format, BadRows badRows) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--events: cannot read file " + file);
        }
        this.file = file;
        this.format = format;
        this.badRows = badRows;
        this.reader = format.open(file, badRows);
    }

    /**
     * @param formatName a command-line format name: csv, mssd-mini or mssd
     */
    public static FileEventSource open(Path file, String formatName, BadRows badRows)
            throws IOException {
        EventFormat format = EventFormat.byName(formatName);
        if (format == null) {
            throw new IllegalArgumentException(
                    "--format must be one of "
                            + EventFormat.names()
                            + ", got '"
                            + formatName
                            + "'");
        }
        return new FileEventSource(file, format, badRows);
    }

    @Override
    public PlaybackEvent next() throws IOException {
        Play play = reader.next();
        return play == null ? null : toEvent(play);
    }

    /** Rows the reader skipped so far. */
    public BadRows badRows() {
        return badRows;
    }

    @Override
    public String describe() {
        return format.cliName() + " file " + file;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    static PlaybackEvent toEvent(Play play) {
        return PlaybackEvent.newBuilder()
                .setEventId(play.eventId())
                .setUserId(play.user())
                .setItemId(play.item())
                .setEventTimeMillis(Instant.ofEpochMilli(play.eventTimeMillis()))
                .setPlayRate(play.rate())
                .setIntent(play.intent())
                .setDeviceId(null)
                .build();
    }
}
