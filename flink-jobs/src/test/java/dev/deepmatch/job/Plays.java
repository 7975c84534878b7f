package dev.deepmatch.job;

import dev.deepmatch.job.source.DecodedPlay;
import dev.deepmatch.job.source.PlaybackDecoder;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.WindowPlay;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test data: plays, records of the events topic as the source decodes them, and examples. */
public final class Plays {
    private Plays() {}

    /** The job's default decoder, against the wall clock. */
    public static final PlaybackDecoder DECODER =
            new PlaybackDecoder(Duration.ofMinutes(5), 512 << 10, Clock.systemUTC());

    public static PlaybackEvent play(String eventId, String user, String item, long time) {
        return play(eventId, user, item, time, 1.0);
    }

    public static PlaybackEvent play(
            String eventId, String user, String item, long time, double rate) {
        return new PlaybackEvent(
                eventId,
                user,
                item,
                Instant.ofEpochMilli(time),
                rate,
                IntentType.RECOMMENDATION,
                null,
                null);
    }

    /** A record at {@code offset} of partition 3 with key {@code k}, decoded. */
    public static DecodedPlay decoded(long offset, byte[] value) {
        return DECODER.decode(
                "playback-events", 3, offset, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    public static DecodedPlay decoded(long offset, PlaybackEvent event) {
        return decoded(offset, WireCodec.PLAYBACK_EVENT.encode(event));
    }

    /** An example of listener {@code user}: history items with their rates, then the target. */
    public static TrainingExample example(
            String user,
            String[] items,
            double[] rates,
            int[] intents,
            String target,
            double targetRate,
            long time) {
        List<Double> historyRates = new ArrayList<>();
        List<IntentType> historyIntents = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            historyRates.add(rates[i]);
            historyIntents.add(IntentType.values()[intents[i]]);
        }
        return new TrainingExample(
                user,
                new ArrayList<>(List.of(items)),
                historyRates,
                historyIntents,
                new WindowPlay(user + "-" + time, target, time, targetRate, IntentType.AUTOPLAY));
    }
}
