package dev.deepmatch.replay.format;

import dev.deepmatch.schema.IntentType;

/**
 * One play read from a replay file: the replay-side twin of {@code PlaybackEvent}, kept as a plain
 * record so readers stay cheap.
 *
 * @param rate play-completion rate in [0, 1]
 */
public record Play(
        String user,
        String item,
        long eventTimeMillis,
        double rate,
        IntentType intent,
        String eventId) {}
