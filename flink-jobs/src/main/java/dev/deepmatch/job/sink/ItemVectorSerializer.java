package dev.deepmatch.job.sink;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Item vectors keyed by item id, so the compacted topic keeps the latest vector per item. */
public class ItemVectorSerializer implements KafkaRecordSerializationSchema<ItemVector> {
    private final String topic;

    public ItemVectorSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ItemVector vector, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                vector.getEmittedAtMillis().toEpochMilli(),
                vector.getItemId().getBytes(StandardCharsets.UTF_8),
                WireCodec.ITEM_VECTOR.encode(vector));
    }
}
