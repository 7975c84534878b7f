package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.tools.local.EmbeddedKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * Checks item vectors as read {@code read_committed}, in topic order: model versions never go
     * backwards (a restored model that started over, or vectors of an aborted attempt, would make
     * them), and each (item, version) has one value (an aborted attempt's vector next to the
     * retrained one would give two).
     */
    static void assertVersionsForwardOneValueEach(List<ItemVector> vectors) {
        long previous = -1;
        Map<String, List<Float>> byItemVersion = new HashMap<>();
        for (ItemVector v : vectors) {
            assertThat(v.getModelVersion())
                    .as("version after %s in topic order", previous)
                    .isGreaterThanOrEqualTo(previous);
            previous = v.getModelVersion();
            List<Float> before =
                    byItemVersion.putIfAbsent(
                            v.getItemId() + "@" + v.getModelVersion(), v.getVector());
            if (before != null) {
                assertThat(v.getVector())
                        .as("two vectors for %s at version %d", v.getItemId(), v.getModelVersion())
                        .isEqualTo(before);
            }
        }
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
