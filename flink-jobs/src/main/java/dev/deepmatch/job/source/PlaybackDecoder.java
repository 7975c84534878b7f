package dev.deepmatch.job.source;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;

/**
 * Decodes and checks one record of the events topic: the only place a play is decoded and the only
 * place its rules live (ids, rate, how far in the future its time may be). Nothing here throws on
 * bad input: an unusable record becomes a {@link DeadLetter} with its reason, coordinates and
 * original bytes.
 *
 * <p>A dead letter is bounded whatever the record: it keeps at most {@code deadLetterMaxBytes} of
 * the value, {@link #MAX_KEY_BYTES} of the key and {@link #MAX_DETAIL_CHARS} of the detail (and
 * says so, with the original sizes), so that writing it can never fail on the producer's request
 * size and stop the job.
 */
public final class PlaybackDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The most of a record's key a dead letter keeps. */
    public static final int MAX_KEY_BYTES = 4096;

    /** The most of a problem's description a dead letter keeps. */
    public static final int MAX_DETAIL_CHARS = 2000;

    /**
     * The longest event, user or item id accepted. Ids become state keys, catalogue rows and the
     * vectors topic's keys; a longer one is a device bug, not a track.
     */
    public static final int MAX_ID_CHARS = 512;

    private final long maxFutureSkewMillis;
    private final int deadLetterMaxBytes;
    private final Clock clock;

    /**
     * @param maxFutureSkew how far ahead of {@code clock} an event time may be
     * @param deadLetterMaxBytes the most of a record's value a dead letter keeps
     */
    public PlaybackDecoder(Duration maxFutureSkew, int deadLetterMaxBytes, Clock clock) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.clock = clock;
    }

    public DecodedPlay decode(String topic, int partition, long offset, byte[] key, byte[] value) {
        long now = clock.millis();
        if (value == null || value.length == 0) {
            return reject(
                    topic,
                    partition,
                    offset,
                    key,
                    value,
                    InvalidReason.EMPTY_RECORD,
                    "no value",
                    now);
        }
        PlaybackEvent event;
        try {
            event = WireCodec.PLAYBACK_EVENT.decode(value);
        } catch (WireCodec.DecodeException e) {
            InvalidReason reason =
                    switch (e.failure()) {
                        case UNKNOWN_SCHEMA -> InvalidReason.UNKNOWN_SCHEMA;
                        case UNDECODABLE -> InvalidReason.UNDECODABLE;
                    };
            return reject(topic, partition, offset, key, value, reason, e.getMessage(), now);
        }
        InvalidReason reason = null;
        String problem = null;
        IdProblem idProblem;
        if (isBlank(event.getEventId())) {
            reason = InvalidReason.EMPTY_EVENT_ID;
            problem = "eventId is empty";
        } else if (isBlank(event.getUserId())) {
            reason = InvalidReason.EMPTY_USER_ID;
            problem = "userId is empty";
        } else if (isBlank(event.getItemId())) {
            reason = InvalidReason.EMPTY_ITEM_ID;
            problem = "itemId is empty";
        } else if ((idProblem = badId(event)) != null) {
            reason = idProblem.reason();
            problem = idProblem.detail();
        } else if (!(event.getPlayRate() >= 0.0 && event.getPlayRate() <= 1.0)) {
            reason = InvalidReason.RATE_OUT_OF_RANGE;
            problem = "playRate " + event.getPlayRate() + " is not in [0, 1]";
        } else if (event.getEventTimeMillis().toEpochMilli() > now + maxFutureSkewMillis) {
            reason = InvalidReason.FUTURE_EVENT_TIME;
            problem =
                    "eventTime "
                            + event.getEventTimeMillis()
                            + " is more than "
                            + maxFutureSkewMillis
                            + " ms ahead of the job's clock "
                            + now;
        }
        if (reason != null) {
            return reject(
                    topic,
                    partition,
                    offset,
                    key,
                    value,
                    reason,
                    problem + " (eventId " + printable(event.getEventId()) + ")",
                    now);
        }
        return DecodedPlay.valid(event);
    }

    private DecodedPlay reject(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            InvalidReason reason,
            String detail,
            long now) {
        String text = detail == null ? "" : detail;
        boolean truncated =
                (key != null && key.length > MAX_KEY_BYTES)
                        || (value != null && value.length > deadLetterMaxBytes)
                        || text.length() > MAX_DETAIL_CHARS;
        return DecodedPlay.invalid(
                DeadLetter.newBuilder()
                        .setReason(reason.name())
                        .setDetail(text.substring(0, Math.min(text.length(), MAX_DETAIL_CHARS)))
                        .setSourceTopic(topic == null ? "" : topic)
                        .setSourcePartition(partition)
                        .setSourceOffset(offset)
                        .setOriginalKey(head(key, MAX_KEY_BYTES))
                        .setOriginalValue(head(value, deadLetterMaxBytes))
                        .setOriginalKeySize(key == null ? 0 : key.length)
                        .setOriginalValueSize(value == null ? 0 : value.length)
                        .setTruncated(truncated)
                        .setDetectedAtMillis(now)
                        .build());
    }

    /** The first {@code max} bytes, without copying; null stays null. */
    private static ByteBuffer head(byte[] bytes, int max) {
        return bytes == null ? null : ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, max));
    }

    private record IdProblem(InvalidReason reason, String detail) {}

    /** What is wrong with the first bad id of the event, or null. */
    private static IdProblem badId(PlaybackEvent event) {
        IdProblem p = badId("eventId", event.getEventId());
        if (p == null) {
            p = badId("userId", event.getUserId());
        }
        return p != null ? p : badId("itemId", event.getItemId());
    }

    private static IdProblem badId(String name, String value) {
        if (value.length() > MAX_ID_CHARS) {
            return new IdProblem(
                    InvalidReason.ID_TOO_LONG,
                    name + " has " + value.length() + " characters, more than " + MAX_ID_CHARS);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return new IdProblem(
                        InvalidReason.CONTROL_CHARACTER_IN_ID,
                        String.format(
                                "%s has a control character U+%04X at %d",
                                name, (int) value.charAt(i), i));
            }
        }
        return null;
    }

    /** An id as a detail shows it: control characters escaped, at most 100 characters. */
    private static String printable(String id) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < id.length() && b.length() < 100; i++) {
            char c = id.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
        }
        return id.length() > 100 ? b + "..." : b.toString();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
