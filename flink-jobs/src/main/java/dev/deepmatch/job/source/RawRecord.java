package dev.deepmatch.job.source;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record before decoding: the payload plus where it came from, so a record the job cannot
 * use can be sent to the dead-letter topic with its coordinates. A Flink POJO (public fields,
 * no-arg constructor), so it is serialized without Kryo.
 */
public class RawRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public String topic;
    public int partition;
    public long offset;

    /** Kafka record timestamp (ms). */
    public long timestamp;

    /** Record key, may be null. */
    public byte[] key;

    /** Record value, may be null (a tombstone). */
    public byte[] value;

    public RawRecord() {}

    public RawRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RawRecord r)) {
            return false;
        }
        return partition == r.partition
                && offset == r.offset
                && timestamp == r.timestamp
                && Objects.equals(topic, r.topic)
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
