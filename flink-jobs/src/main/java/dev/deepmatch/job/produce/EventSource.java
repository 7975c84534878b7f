package dev.deepmatch.job.produce;

import dev.deepmatch.schema.PlaybackEvent;
import java.io.IOException;

/** Where a producer's events come from: a replay file or the generator. */
public interface EventSource extends AutoCloseable {

    /** The next event, or {@code null} when the source is exhausted. */
    PlaybackEvent next() throws IOException;

    /** One line for logs, e.g. the file and format. */
    String describe();

    @Override
    void close() throws IOException;
}
