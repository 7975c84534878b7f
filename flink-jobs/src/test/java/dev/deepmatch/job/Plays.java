package dev.deepmatch.job;

import dev.deepmatch.job.codec.PlaybackEventCodec;
import dev.deepmatch.job.source.RawRecord;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Test data: playback events and raw records. */
public final class Plays {
    private Plays() {}

    public static PlaybackEvent play(String eventId, String user, String item, long time) {
        return play(eventId, user, item, time, 1.0);
    }

    public static PlaybackEvent play(
            String eventId, String user, String item, long time, double rate) {
        return PlaybackEvent.newBuilder()
                .setEventId(eventId)
                .setUserId(user)
                .setItemId(item)
                .setEventTimeMillis(Instant.ofEpochMilli(time))
                .setPlayRate(rate)
                .setIntent(IntentType.RECOMMENDATION)
                .setDeviceId(null)
                .build();
    }

    public static RawRecord raw(long offset, byte[] value) {
        return new RawRecord(
                "playback-events", 3, offset, 0L, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    public static RawRecord raw(long offset, PlaybackEvent event) {
        return raw(offset, PlaybackEventCodec.encode(event));
    }
}
