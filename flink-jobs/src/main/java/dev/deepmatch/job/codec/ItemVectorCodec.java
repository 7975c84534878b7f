package dev.deepmatch.job.codec;

import dev.deepmatch.job.codec.SingleObjectCodec.DecodeException;
import dev.deepmatch.schema.ItemVector;

/** Wire format of {@link ItemVector} records on Kafka: Avro single-object encoding. */
public final class ItemVectorCodec {

    private static final SingleObjectCodec<ItemVector> CODEC =
            new SingleObjectCodec<>(ItemVector.class, ItemVector.getClassSchema());

    private ItemVectorCodec() {}

    public static byte[] encode(ItemVector record) {
        return CODEC.encode(record);
    }

    public static ItemVector decode(byte[] bytes) throws DecodeException {
        return CODEC.decode(bytes);
    }
}
