package dev.deepmatch.job.sink;

import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** User vectors keyed by user id, so the compacted topic keeps each listener's latest vector. */
public class UserVectorSerializer implements KafkaRecordSerializationSchema<UserVector> {
    private final String topic;

    public UserVectorSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            UserVector vector, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                vector.getEmittedAtMillis().toEpochMilli(),
                vector.getUserId().getBytes(StandardCharsets.UTF_8),
                WireCodec.USER_VECTOR.encode(vector));
    }
}
