package dev.deepmatch.job.codec;

import dev.deepmatch.job.codec.SingleObjectCodec.DecodeException;
import dev.deepmatch.schema.DeadLetter;

/** Wire format of {@link DeadLetter} records on Kafka: Avro single-object encoding. */
public final class DeadLetterCodec {

    private static final SingleObjectCodec<DeadLetter> CODEC =
            new SingleObjectCodec<>(DeadLetter.class, DeadLetter.getClassSchema());

    private DeadLetterCodec() {}

    public static byte[] encode(DeadLetter record) {
        return CODEC.encode(record);
    }

    public static DeadLetter decode(byte[] bytes) throws DecodeException {
        return CODEC.decode(bytes);
    }
}
