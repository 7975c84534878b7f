package dev.deepmatch.settings;

/** A command line that cannot be run: unknown or repeated option, missing or invalid value. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
