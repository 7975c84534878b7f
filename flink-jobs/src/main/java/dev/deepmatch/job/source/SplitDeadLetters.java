package dev.deepmatch.job.source;

import dev.deepmatch.job.CounterTotals;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.PlaybackEvent;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Counts every record read and sends the unusable ones to the {@link #DEAD_LETTERS} side output,
 * counted by reason; usable plays go on. The counts continue across restarts ({@link
 * CounterTotals}).
 */
public class SplitDeadLetters extends ProcessFunction<DecodedPlay, PlaybackEvent>
        implements CheckpointedFunction {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private transient Counter eventsIn;
    private transient Counter invalidTotal;
    private transient Map<InvalidReason, Counter> invalidByReason;
    private transient CounterTotals totals;

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        totals = new CounterTotals();
        totals.initialize(context.getOperatorStateStore());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        totals.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = totals.counter(metrics, LearnerMetrics.EVENTS_IN);
        invalidTotal = totals.counter(metrics, LearnerMetrics.INVALID_EVENTS_TOTAL);
        // Registered up front so every reason reads 0 from the first second.
        MetricGroup byReason = metrics.addGroup(LearnerMetrics.INVALID_EVENTS);
        invalidByReason = new EnumMap<>(InvalidReason.class);
        for (InvalidReason reason : InvalidReason.values()) {
            invalidByReason.put(
                    reason,
                    totals.counter(
                            byReason,
                            reason.name(),
                            LearnerMetrics.INVALID_EVENTS + "." + reason.name()));
        }
    }

    @Override
    public void processElement(DecodedPlay play, Context ctx, Collector<PlaybackEvent> out) {
        eventsIn.inc();
        if (play.event != null) {
            out.collect(play.event);
            return;
        }
        invalidTotal.inc();
        invalidByReason.get(InvalidReason.valueOf(play.deadLetter.getReason())).inc();
        ctx.output(DEAD_LETTERS, play.deadLetter);
    }
}
