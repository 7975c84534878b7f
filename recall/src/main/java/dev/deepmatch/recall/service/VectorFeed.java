package dev.deepmatch.recall.service;

import dev.deepmatch.recall.index.VectorIndex;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the item-vector and user-vector topics {@code read_committed} from their beginning (the
 * compacted topics hold the latest vector per key, so a restart rebuilds everything) and applies
 * each record: an item vector into the index if its version is newer than the one held (a
 * full-refresh record always, as a restore may take versions back), a user vector into the store, a
 * tombstone (no value) as a removal. A record that does not decode, or whose vector has another
 * width, is counted and skipped. One thread; {@link #lag()} may be called from any.
 */
final class VectorFeed implements Runnable, AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String itemTopic;
    private final String userTopic;
    private final UserStore users;
    private final FeedStats stats;
    private final Path indexDir;
    private final long refreshMillis;
    private final AtomicReference<VectorIndex> index = new AtomicReference<>();
    private final List<TopicPartition> partitions = new ArrayList<>();
    private volatile Map<TopicPartition, Long> lag = Map.of();
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private Map<TopicPartition, Long> startEnds;
    private int dimension;
    private long lastRefresh;
    private long lastLag;
    private boolean unrefreshed;

    VectorFeed(
            Properties kafka,
            String itemTopic,
            String userTopic,
            int dimension,
            Path indexDir,
            Duration refresh,
            UserStore users,
            FeedStats stats) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        this.consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.itemTopic = itemTopic;
        this.userTopic = userTopic;
        this.dimension = dimension;
        this.indexDir = indexDir;
        this.refreshMillis = refresh.toMillis();
        this.users = users;
        this.stats = stats;
    }

    /**
     * Assigns every partition of both topics from the beginning.
     *
     * @throws IllegalArgumentException naming the setting when a topic does not exist
     */
    void assign(Duration timeout) {
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
        for (String[] t :
                new String[][] {{itemTopic, "vectors-topic"}, {userTopic, "user-vectors-topic"}}) {
            List<PartitionInfo> infos = topics.get(t[0]);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException(
                        "--" + t[1] + " " + t[0] + ": no such topic on the brokers");
            }
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        startEnds = consumer.endOffsets(partitions, timeout);
    }

    @Override
    public void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.topic().equals(itemTopic)) {
                        applyItem(r);
                    } else {
                        applyUser(r);
                    }
                }
                long now = System.currentTimeMillis();
                VectorIndex i = index.get();
                if (i != null && unrefreshed && now - lastRefresh >= refreshMillis) {
                    i.refresh();
                    unrefreshed = false;
                    lastRefresh = now;
                }
                if (now - lastLag >= 1_000 || !caughtUp) {
                    updateLag();
                    lastLag = now;
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (Throwable t) {
            failure = t;
            throw t;
        }
    }

    private void applyItem(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            VectorIndex i = index.get();
            if (r.key() != null && i != null && i.delete(key(r))) {
                stats.itemTombstones.incrementAndGet();
                unrefreshed = true;
            }
            return;
        }
        ItemVector v;
        float[] vector;
        try {
            v = WireCodec.ITEM_VECTOR.decode(r.value());
            vector = floats(v.getVector());
            if (dimension == 0) {
                dimension = vector.length;
            }
            if (vector.length != dimension) {
                throw new IllegalArgumentException(
                        "vector of " + vector.length + " values, the index holds " + dimension);
            }
        } catch (RuntimeException | WireCodec.DecodeException bad) {
            bad(r, bad);
            return;
        }
        VectorIndex i = index();
        try {
            if (i.put(v.getItemId(), vector, v.getModelVersion(), v.getFullRefresh())) {
                stats.itemsApplied.incrementAndGet();
                unrefreshed = true;
            } else {
                stats.itemsStale.incrementAndGet();
            }
        } catch (IllegalArgumentException bad) {
            bad(r, bad); // e.g. NaN values
            return;
        }
        if (v.getFullRefresh()) {
            stats.fullRefreshRecords.incrementAndGet();
            stats.lastFullRefreshVersion.accumulateAndGet(v.getModelVersion(), Math::max);
        }
        stats.newestItemEmittedAt.accumulateAndGet(
                v.getEmittedAtMillis().toEpochMilli(), Math::max);
    }

    private void applyUser(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            if (r.key() != null && users.remove(key(r))) {
                stats.userTombstones.incrementAndGet();
            }
            return;
        }
        UserStore.Entry e;
        try {
            UserVector u = WireCodec.USER_VECTOR.decode(r.value());
            float[] vector = floats(u.getVector());
            if (dimension != 0 && vector.length != dimension) {
                throw new IllegalArgumentException(
                        "vector of " + vector.length + " values, the index holds " + dimension);
            }
            for (float x : vector) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("vector holds " + x);
                }
            }
            e =
                    new UserStore.Entry(
                            u.getUserId(),
                            vector,
                            u.getModelVersion(),
                            u.getEmittedAtMillis().toEpochMilli(),
                            List.copyOf(u.getRecentItems()),
                            List.copyOf(u.getRecentRates()),
                            u.getLastPlayMillis().toEpochMilli(),
                            u.getLastArrivalMillis(),
                            System.currentTimeMillis());
        } catch (RuntimeException | WireCodec.DecodeException bad) {
            bad(r, bad);
            return;
        }
        if (users.put(e)) {
            stats.usersApplied.incrementAndGet();
            if (e.lastArrivalMillis() > 0) {
                stats.playToApplied(Math.max(0, e.appliedAtMillis() - e.lastArrivalMillis()));
            }
        } else {
            stats.usersStale.incrementAndGet();
        }
        stats.newestUserEmittedAt.accumulateAndGet(e.emittedAtMillis(), Math::max);
    }

    private void bad(ConsumerRecord<byte[], byte[]> r, Exception why) {
        stats.badRecords.incrementAndGet();
        String reason = why.getClass().getSimpleName() + ": " + why.getMessage();
        stats.lastBadReason =
                r.topic()
                        + "-"
                        + r.partition()
                        + "@"
                        + r.offset()
                        + " "
                        + (reason.length() > 300 ? reason.substring(0, 300) : reason);
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = values.get(j);
        }
        return out;
    }

    private VectorIndex index() {
        VectorIndex i = index.get();
        if (i == null) {
            i = new VectorIndex(dimension, indexDir);
            index.set(i);
        }
        return i;
    }

    private void updateLag() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
        Map<TopicPartition, Long> now = new HashMap<>();
        boolean done = true;
        for (TopicPartition p : partitions) {
            long position = consumer.position(p, Duration.ofSeconds(5));
            now.put(p, Math.max(0, ends.getOrDefault(p, position) - position));
            done &= position >= startEnds.getOrDefault(p, 0L);
        }
        lag = now;
        if (done && !caughtUp) {
            VectorIndex i = index.get();
            if (i != null) {
                i.refresh();
                unrefreshed = false;
            }
            caughtUp = true;
        }
    }

    /** Records behind the end of each partition, as of the last poll. */
    Map<TopicPartition, Long> lag() {
        return lag;
    }

    /** Whether everything on the topics at start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    /** The index, or null before the first item vector. */
    VectorIndex currentIndex() {
        return index.get();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }

    /** After the feed's thread ended: the consumer and the index are released. */
    void release() {
        consumer.close(Duration.ofSeconds(5));
        VectorIndex i = index.get();
        if (i != null) {
            try {
                i.close();
            } catch (Exception e) {
                // closing at shutdown: nothing to keep
            }
        }
    }
}
