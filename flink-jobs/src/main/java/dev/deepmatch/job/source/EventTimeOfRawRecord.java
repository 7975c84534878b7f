package dev.deepmatch.job.source;

import dev.deepmatch.job.codec.PlaybackEventCodec;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * Event time of a raw record for watermarks generated per Kafka partition inside the source. A
 * record that will be dead-lettered (undecodable, or too far in the future) gets {@link
 * Long#MIN_VALUE}, so it cannot drag the watermark forward and make every later play look late.
 */
public class EventTimeOfRawRecord implements SerializableTimestampAssigner<RawRecord> {

    private final long maxFutureSkewMillis;

    public EventTimeOfRawRecord(Duration maxFutureSkew) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    }

    @Override
    public long extractTimestamp(RawRecord record, long recordTimestamp) {
        if (record.value == null) {
            return Long.MIN_VALUE;
        }
        long eventTime = PlaybackEventCodec.peekEventTime(record.value);
        if (eventTime > System.currentTimeMillis() + maxFutureSkewMillis) {
            return Long.MIN_VALUE;
        }
        return eventTime;
    }
}
