package dev.deepmatch.job.source;

/** Why a record went to the dead-letter topic; the name is the DeadLetter reason code. */
public enum InvalidReason {
    /** Not an Avro single-object encoded PlaybackEvent (or truncated/corrupt). */
    UNDECODABLE,
    /** A well-formed Avro record whose schema fingerprint this job does not know. */
    UNKNOWN_SCHEMA,
    /** The Kafka record had no value (e.g. a tombstone). */
    EMPTY_RECORD,
    EMPTY_EVENT_ID,
    EMPTY_USER_ID,
    EMPTY_ITEM_ID,
    /** An id longer than {@link PlaybackDecoder#MAX_ID_CHARS}. */
    ID_TOO_LONG,
    /** An id with a control character (NUL, newline, escape, ...). */
    CONTROL_CHARACTER_IN_ID,
    /** Play rate NaN or outside [0, 1]. */
    RATE_OUT_OF_RANGE,
    /** Event time later than processing time plus the allowed future skew. */
    FUTURE_EVENT_TIME
}
