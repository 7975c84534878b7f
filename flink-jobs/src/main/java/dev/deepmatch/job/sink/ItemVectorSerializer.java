package dev.deepmatch.job.sink;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Item vectors keyed by item id, so the compacted topic keeps the latest vector per item. An item
 * evicted from the catalogue travels inside the job as an {@link ItemVector} without values ({@link
 * #removal}) and leaves it as a tombstone (no value), so compaction and every index drop it.
 */
public class ItemVectorSerializer implements KafkaRecordSerializationSchema<ItemVector> {
    private final String topic;

    public ItemVectorSerializer(String topic) {
        this.topic = topic;
    }

    /** The record that deletes an item from the vectors topic. */
    public static ItemVector removal(String itemId, long modelVersion, long nowMillis) {
        return ItemVector.newBuilder()
                .setItemId(itemId)
                .setVector(List.of())
                .setModelVersion(modelVersion)
                .setEmittedAtMillis(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    public static boolean isRemoval(ItemVector vector) {
        return vector.getVector().isEmpty();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ItemVector vector, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                vector.getEmittedAtMillis().toEpochMilli(),
                vector.getItemId().getBytes(StandardCharsets.UTF_8),
                isRemoval(vector) ? null : WireCodec.ITEM_VECTOR.encode(vector));
    }
}
