package dev.deepmatch.job.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes each Kafka record once, in the source, so the watermark sees the play's own event time
 * (and never that of a record about to be dead-lettered).
 */
public class PlaybackDeserializer implements KafkaRecordDeserializationSchema<DecodedPlay> {
    private static final long serialVersionUID = 1L;

    private final PlaybackDecoder decoder;

    public PlaybackDeserializer(PlaybackDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedPlay> out) {
        out.collect(
                decoder.decode(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.key(),
                        record.value()));
    }

    @Override
    public TypeInformation<DecodedPlay> getProducedType() {
        return TypeInformation.of(DecodedPlay.class);
    }
}
