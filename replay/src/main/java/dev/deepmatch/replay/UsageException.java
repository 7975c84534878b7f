package dev.deepmatch.replay;

/** A wrong command line; the message names the option. Mains print it with the usage, exit 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
