package dev.deepmatch.it;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.tools.local.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Waits for what a job writes, reading the topic as an index builder would. */
final class TopicReader {

    private TopicReader() {}

    /**
     * Reads the whole topic ({@link EmbeddedKafka#readCommitted}) again and again until {@code
     * enough} holds for what was read, or the timeout passes; returns the last read either way.
     */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(
            EmbeddedKafka kafka,
            String topic,
            Duration timeout,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> enough)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> records;
        do {
            records = kafka.readCommitted(topic);
            if (enough.test(records)) {
                return records;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return records;
    }

    /** The records as item vectors; an undecodable one fails the test. */
    static List<ItemVector> itemVectors(List<ConsumerRecord<byte[], byte[]>> records) {
        List<ItemVector> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                out.add(WireCodec.ITEM_VECTOR.decode(r.value()));
            } catch (WireCodec.DecodeException e) {
                throw new AssertionError("undecodable vector at offset " + r.offset(), e);
            }
        }
        return out;
    }
}
