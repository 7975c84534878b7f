package dev.deepmatch.sources.format;

/**
 * Why one row is unusable. Thrown by the field parsers inside a reader and turned into a {@link
 * BadRows} entry there; it never leaves a reader.
 */
final class RowException extends Exception {
    private final String reason;
    private final String detail;

    RowException(String reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    String reason() {
        return reason;
    }

    String detail() {
        return detail;
    }
}
