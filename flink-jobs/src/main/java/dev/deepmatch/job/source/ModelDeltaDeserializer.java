package dev.deepmatch.job.source;

import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.wire.WireCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the trainers' exchange topic. Only the job writes it; a record it cannot decode (written by
 * something else) is skipped, counted and logged, never a reason to stop the job.
 */
public class ModelDeltaDeserializer implements KafkaRecordDeserializationSchema<ModelDelta> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelDeltaDeserializer.class);

    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        undecodable = context.getMetricGroup().counter(LearnerMetrics.UNDECODABLE_DELTAS);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelDelta> out) {
        try {
            out.collect(WireCodec.MODEL_DELTA.decode(record.value()));
        } catch (WireCodec.DecodeException | RuntimeException e) {
            if (undecodable != null) {
                undecodable.inc();
            }
            LOG.warn(
                    "skipped a record of the exchange topic {} partition {} offset {} that is not a"
                            + " model delta: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<ModelDelta> getProducedType() {
        return new AvroTypeInfo<>(ModelDelta.class);
    }
}
