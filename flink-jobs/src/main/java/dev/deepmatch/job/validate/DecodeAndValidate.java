package dev.deepmatch.job.validate;

import dev.deepmatch.job.codec.PlaybackEventCodec;
import dev.deepmatch.job.codec.SingleObjectCodec.DecodeException;
import dev.deepmatch.job.source.RawRecord;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.PlaybackEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw Kafka records into {@link PlaybackEvent}s and checks them. A record that cannot be
 * used goes to the {@link #DEAD_LETTERS} side output with its reason, source coordinates and
 * original bytes, and is counted per reason; nothing here throws on bad input.
 */
public class DecodeAndValidate extends ProcessFunction<RawRecord, PlaybackEvent> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final long maxFutureSkewMillis;

    private transient Counter eventsIn;
    private transient Counter invalidTotal;
    private transient Map<InvalidReason, Counter> invalidByReason;

    public DecodeAndValidate(Duration maxFutureSkew) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        invalidTotal = metrics.counter("invalidEventsTotal");
        // Registered up front so every reason reads 0 from the first second.
        MetricGroup byReason = metrics.addGroup("invalidEvents");
        invalidByReason = new EnumMap<>(InvalidReason.class);
        for (InvalidReason reason : InvalidReason.values()) {
            invalidByReason.put(reason, byReason.counter(reason.name()));
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<PlaybackEvent> out) {
        eventsIn.inc();
        if (raw.value == null || raw.value.length == 0) {
            reject(raw, InvalidReason.EMPTY_RECORD, "record has no value", ctx);
            return;
        }
        PlaybackEvent event;
        try {
            event = PlaybackEventCodec.decode(raw.value);
        } catch (DecodeException e) {
            InvalidReason reason =
                    switch (e.failure()) {
                        case UNKNOWN_SCHEMA -> InvalidReason.UNKNOWN_SCHEMA;
                        case UNDECODABLE -> InvalidReason.UNDECODABLE;
                    };
            reject(raw, reason, e.getMessage(), ctx);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        String problem = null;
        InvalidReason reason = null;
        if (isBlank(event.getEventId())) {
            reason = InvalidReason.EMPTY_EVENT_ID;
            problem = "eventId is empty";
        } else if (isBlank(event.getUserId())) {
            reason = InvalidReason.EMPTY_USER_ID;
            problem = "userId is empty";
        } else if (isBlank(event.getItemId())) {
            reason = InvalidReason.EMPTY_ITEM_ID;
            problem = "itemId is empty";
        } else if (!(event.getPlayRate() >= 0.0 && event.getPlayRate() <= 1.0)) {
            reason = InvalidReason.RATE_OUT_OF_RANGE;
            problem = "playRate " + event.getPlayRate() + " is not in [0, 1]";
        } else if (event.getEventTimeMillis().toEpochMilli() > now + maxFutureSkewMillis) {
            reason = InvalidReason.FUTURE_EVENT_TIME;
            problem =
                    "eventTime "
                            + event.getEventTimeMillis()
                            + " is more than "
                            + maxFutureSkewMillis
                            + " ms ahead of processing time "
                            + now;
        }
        if (reason != null) {
            reject(raw, reason, problem + " (eventId " + event.getEventId() + ")", ctx);
            return;
        }
        out.collect(event);
    }

    private void reject(RawRecord raw, InvalidReason reason, String detail, Context ctx) {
        invalidTotal.inc();
        invalidByReason.get(reason).inc();
        ctx.output(
                DEAD_LETTERS,
                DeadLetter.newBuilder()
                        .setReason(reason.name())
                        .setDetail(detail == null ? "" : detail)
                        .setSourceTopic(raw.topic == null ? "" : raw.topic)
                        .setSourcePartition(raw.partition)
                        .setSourceOffset(raw.offset)
                        .setOriginalKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                        .setOriginalValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
                        .setDetectedAtMillis(ctx.timerService().currentProcessingTime())
                        .build());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
