package dev.deepmatch.sources.format;

/** The file as a whole cannot be replayed (e.g. missing header column); no row was consumed. */
public final class BadFileException extends RuntimeException {
    public BadFileException(String message) {
        super(message);
    }
}
