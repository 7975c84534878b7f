package dev.deepmatch.job.source;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.PlaybackEvent;

/**
 * A Kafka record of the events topic, decoded and checked once, in the source: either a play the
 * job can use or the dead letter saying why not. A Flink POJO with Avro fields, so it is serialized
 * without Kryo.
 */
public class DecodedPlay {

    /** The play; null when the record is unusable. */
    public PlaybackEvent event;

    /** Why the record is unusable, with its coordinates and bytes; null for a usable play. */
    public DeadLetter deadLetter;

    public DecodedPlay() {}

    public static DecodedPlay valid(PlaybackEvent event) {
        DecodedPlay d = new DecodedPlay();
        d.event = event;
        return d;
    }

    public static DecodedPlay invalid(DeadLetter deadLetter) {
        DecodedPlay d = new DecodedPlay();
        d.deadLetter = deadLetter;
        return d;
    }

    /** Event time for watermarks; {@code Long.MIN_VALUE} (never advances one) when unusable. */
    public long eventTimeMillis() {
        return event == null ? Long.MIN_VALUE : event.getEventTimeMillis().toEpochMilli();
    }

    @Override
    public String toString() {
        return event != null ? "valid " + event : "invalid " + deadLetter.getReason();
    }
}
