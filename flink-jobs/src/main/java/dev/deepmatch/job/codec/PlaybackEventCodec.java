package dev.deepmatch.job.codec;

import dev.deepmatch.job.codec.SingleObjectCodec.DecodeException;
import dev.deepmatch.schema.PlaybackEvent;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * The wire format of playback events on Kafka, shared by every producer and the job: Avro
 * single-object encoding of {@link PlaybackEvent}. Use {@link #encode} to write and {@link #decode}
 * to read.
 */
public final class PlaybackEventCodec {

    private static final SingleObjectCodec<PlaybackEvent> CODEC =
            new SingleObjectCodec<>(PlaybackEvent.class, PlaybackEvent.getClassSchema());

    private PlaybackEventCodec() {}

    public static byte[] encode(PlaybackEvent event) {
        return CODEC.encode(event);
    }

    /**
     * Decodes one payload. Throws with {@link SingleObjectCodec.Failure#UNKNOWN_SCHEMA} for a
     * well-formed record of a schema this reader does not know, {@code UNDECODABLE} otherwise.
     */
    public static PlaybackEvent decode(byte[] bytes) throws DecodeException {
        return CODEC.decode(bytes);
    }

    /**
     * Reads only the event time, without building the record: for watermark generation at the
     * source, where every record passes. Returns {@link Long#MIN_VALUE} (a time that never advances
     * a watermark) for anything {@link #decode} would reject as undecodable or unknown.
     */
    public static long peekEventTime(byte[] bytes) {
        if (!CODEC.hasCurrentHeader(bytes)) {
            return Long.MIN_VALUE;
        }
        try {
            BinaryDecoder in =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    bytes,
                                    SingleObjectCodec.HEADER_LENGTH,
                                    bytes.length - SingleObjectCodec.HEADER_LENGTH,
                                    null);
            // Field order of PlaybackEvent: eventId, userId, itemId, eventTimeMillis, ...
            in.skipString();
            in.skipString();
            in.skipString();
            return in.readLong();
        } catch (IOException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }
}
