package dev.deepmatch.job.sink;

import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.wire.WireCodec;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The trainers' deltas, unkeyed: deltas add up, so their order across partitions does not matter.
 */
public class ModelDeltaSerializer implements KafkaRecordSerializationSchema<ModelDelta> {
    private final String topic;

    public ModelDeltaSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ModelDelta delta, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, delta.getSentAtMillis(), null, WireCodec.MODEL_DELTA.encode(delta));
    }
}
