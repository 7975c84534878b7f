package dev.deepmatch.job.sink;

import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The trainers' deltas, keyed by trainer: one trainer's deltas stay in one partition, in order. */
public class ModelDeltaSerializer implements KafkaRecordSerializationSchema<ModelDelta> {
    private final String topic;

    public ModelDeltaSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ModelDelta delta, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                delta.getSentAtMillis(),
                Integer.toString(delta.getSender()).getBytes(StandardCharsets.UTF_8),
                WireCodec.MODEL_DELTA.encode(delta));
    }
}
