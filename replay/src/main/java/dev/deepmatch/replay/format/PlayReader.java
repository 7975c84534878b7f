package dev.deepmatch.replay.format;

import java.io.Closeable;
import java.io.IOException;

/**
 * A stream of plays in replay order. Rows that cannot be read are reported to the reader's {@link
 * BadRows} and skipped; only I/O failures and an unusable file (e.g. a wrong header) throw.
 */
public interface PlayReader extends Closeable {

    /** The next play, or {@code null} at the end of the stream. */
    Play next() throws IOException;
}
