package dev.deepmatch.sources;

import dev.deepmatch.schema.PlaybackEvent;
import java.io.Closeable;
import java.io.IOException;

/**
 * A stream of plays in stream order: a file in one of the {@link
 * dev.deepmatch.sources.format.EventFormat}s or the synthetic listeners of the generator. What
 * {@code replay}, {@code produce} and {@code local} read.
 *
 * <p>A file's rows that cannot be read are reported to its reader's {@link
 * dev.deepmatch.sources.format.BadRows} and skipped; only I/O failures and an unusable file (e.g. a
 * wrong header) throw.
 */
public interface EventSource extends Closeable {

    /** The next play, or {@code null} when the source is exhausted. */
    PlaybackEvent next() throws IOException;

    /** One line for logs, e.g. the file and format. */
    String describe();
}
