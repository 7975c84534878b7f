package dev.deepmatch.client;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record of a vector topic: the latest vector of its key, or its removal (a tombstone: the
 * record has no value, and compaction will drop the key). The job keys item vectors by item id and
 * user vectors by user id.
 *
 * @param value the decoded vector; null for a removal
 */
public record VectorUpdate<T>(String topic, int partition, long offset, String key, T value) {

    /** Whether the key's vector is gone (a tombstone): a consumer drops what it holds of it. */
    public boolean isRemoval() {
        return value == null;
    }

    /**
     * An {@code item-vectors} record, for a service that runs its own consumer (read it {@code
     * read_committed}: the job writes in transactions).
     *
     * @throws WireCodec.DecodeException when the value is not an {@link ItemVector}
     */
    public static VectorUpdate<ItemVector> item(ConsumerRecord<byte[], byte[]> record)
            throws WireCodec.DecodeException {
        return of(
                record,
                record.value() == null ? null : WireCodec.ITEM_VECTOR.decode(record.value()));
    }

    /**
     * A {@code user-vectors} record, for a service that runs its own consumer (read it {@code
     * read_committed}).
     *
     * @throws WireCodec.DecodeException when the value is not a {@link UserVector}
     */
    public static VectorUpdate<UserVector> user(ConsumerRecord<byte[], byte[]> record)
            throws WireCodec.DecodeException {
        return of(
                record,
                record.value() == null ? null : WireCodec.USER_VECTOR.decode(record.value()));
    }

    private static <T> VectorUpdate<T> of(ConsumerRecord<byte[], byte[]> record, T value) {
        return new VectorUpdate<>(
                record.topic(),
                record.partition(),
                record.offset(),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                value);
    }
}
