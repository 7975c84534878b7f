package dev.deepmatch.sources.format;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import java.time.Instant;

/** The readers' one way of making a play. */
final class Plays {
    private Plays() {}

    static PlaybackEvent event(
            String user,
            String item,
            long eventTimeMillis,
            double rate,
            IntentType intent,
            String eventId) {
        return new PlaybackEvent(
                eventId,
                user,
                item,
                Instant.ofEpochMilli(eventTimeMillis),
                rate,
                intent,
                null,
                null);
    }
}
