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
 */
public final class PlaybackDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long maxFutureSkewMillis;
    private final Clock clock;

    /**
     * @param maxFutureSkew how far ahead of {@code clock} an event time may be
     */
    public PlaybackDecoder(Duration maxFutureSkew, Clock clock) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
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
        if (isBlank(event.getEventId())) {
            reason = InvalidReason.EMPTY_EVENT_ID;
            problem = "eventId is empty";
        } else if (isBlank(event.getUserId())) {
            reason = InvalidReason.EMPTY_USER_ID;
            problem = "userId is empty";
        } else if (isBlank(event.getItemId())) {
            reason = InvalidReason.EMPTY_ITEM_ID;
            problem = "itemId is empty";
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
                    problem + " (eventId " + event.getEventId() + ")",
                    now);
        }
        return DecodedPlay.valid(event);
    }

    private static DecodedPlay reject(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            InvalidReason reason,
            String detail,
            long now) {
        return DecodedPlay.invalid(
                DeadLetter.newBuilder()
                        .setReason(reason.name())
                        .setDetail(detail == null ? "" : detail)
                        .setSourceTopic(topic == null ? "" : topic)
                        .setSourcePartition(partition)
                        .setSourceOffset(offset)
                        .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                        .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                        .setDetectedAtMillis(now)
                        .build());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
