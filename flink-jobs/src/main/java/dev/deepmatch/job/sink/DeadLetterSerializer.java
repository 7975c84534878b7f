package dev.deepmatch.job.sink;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.ByteBuffer;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Dead letters keep the original record's key, so they land next to related records. */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        ByteBuffer key = letter.getOriginalKey();
        byte[] keyBytes = null;
        if (key != null) {
            keyBytes = new byte[key.remaining()];
            key.duplicate().get(keyBytes);
        }
        return new ProducerRecord<>(
                topic,
                null,
                letter.getDetectedAtMillis(),
                keyBytes,
                WireCodec.DEAD_LETTER.encode(letter));
    }
}
