package dev.deepmatch.job.window;

import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.UserWindow;
import dev.deepmatch.schema.WindowPlay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per user (the key): the last L plays ordered by event time, in RocksDB with a TTL. Every play
 * with at least one earlier play is emitted at once as a training example whose history is the
 * plays before it by event time, so a play arriving out of order within the allowed lateness is
 * placed where it happened. Plays later than that (behind the watermark by more than the allowed
 * lateness) and replays of a recently seen event id are dropped and counted.
 *
 * <p>No timers: examples are emitted on arrival, and expiry is left to state TTL.
 */
public class UserWindowFunction extends KeyedProcessFunction<String, PlaybackEvent, TrainingExample>
        implements CheckpointedFunction {

    private final int windowLength;
    private final int dedupMemory;
    private final long allowedLatenessMillis;
    private final Duration stateTtl;

    private transient ValueState<UserWindow> window;

    /** Windows this subtask created, kept across restarts (see {@link #usersInWindowState}). */
    private transient ListState<Long> usersCreatedState;

    private transient volatile long usersCreated;
    private transient Counter playsAccepted;
    private transient Counter lateDropped;
    private transient Counter duplicatesDropped;
    private transient Counter examplesOut;

    public UserWindowFunction(
            int windowLength, int dedupMemory, Duration allowedLateness, Duration stateTtl) {
        if (windowLength < 1) {
            throw new IllegalArgumentException("windowLength must be at least 1");
        }
        this.windowLength = windowLength;
        this.dedupMemory = dedupMemory;
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.stateTtl = stateTtl;
    }

    /** Name of the keyed state, e.g. for the State Processor API. */
    public static final String WINDOW_STATE = "user-window";

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserWindow> descriptor =
                new ValueStateDescriptor<>(WINDOW_STATE, new AvroTypeInfo<>(UserWindow.class));
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(stateTtl)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        // RocksDB drops expired windows during compaction; heap backends
                        // clean up incrementally (their default).
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        window = getRuntimeContext().getState(descriptor);

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        playsAccepted = metrics.counter("playsAccepted");
        lateDropped = metrics.counter("latePlaysDropped");
        duplicatesDropped = metrics.counter("duplicatePlaysDropped");
        examplesOut = metrics.counter("examplesOut");
        metrics.gauge("usersInWindowState", (Gauge<Long>) () -> usersCreated);
    }

    @Override
    public void processElement(PlaybackEvent event, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        long eventTime = event.getEventTimeMillis().toEpochMilli();
        long watermark = ctx.timerService().currentWatermark();
        if (watermark > Long.MIN_VALUE + allowedLatenessMillis
                && eventTime < watermark - allowedLatenessMillis) {
            lateDropped.inc();
            return;
        }

        UserWindow current = window.value();
        if (current == null) {
            usersCreated++;
        }
        List<WindowPlay> plays =
                current == null ? new ArrayList<>() : new ArrayList<>(current.getPlays());
        List<String> recentIds =
                current == null ? new ArrayList<>() : new ArrayList<>(current.getRecentEventIds());
        if (recentIds.contains(event.getEventId())) {
            duplicatesDropped.inc();
            return;
        }

        // First play strictly later than this one: ties keep arrival order.
        int at = plays.size();
        while (at > 0 && plays.get(at - 1).getEventTimeMillis() > eventTime) {
            at--;
        }
        if (at > 0) {
            out.collect(
                    example(
                            ctx.getCurrentKey(),
                            plays.subList(Math.max(0, at - windowLength), at),
                            event,
                            eventTime));
            examplesOut.inc();
        }

        plays.add(
                at,
                WindowPlay.newBuilder()
                        .setEventId(event.getEventId())
                        .setItemId(event.getItemId())
                        .setEventTimeMillis(eventTime)
                        .setPlayRate(event.getPlayRate())
                        .setIntent(event.getIntent())
                        .build());
        if (plays.size() > windowLength) {
            plays.remove(0);
        }
        if (dedupMemory > 0) {
            recentIds.add(event.getEventId());
            if (recentIds.size() > dedupMemory) {
                recentIds.remove(0);
            }
        }
        window.update(new UserWindow(plays, recentIds));
        playsAccepted.inc();
    }

    private static TrainingExample example(
            String userId, List<WindowPlay> history, PlaybackEvent target, long targetTime) {
        int n = history.size();
        String[] items = new String[n];
        double[] rates = new double[n];
        int[] intents = new int[n];
        for (int i = 0; i < n; i++) {
            WindowPlay play = history.get(i);
            items[i] = play.getItemId();
            rates[i] = play.getPlayRate();
            intents[i] = play.getIntent().ordinal();
        }
        return new TrainingExample(
                userId,
                items,
                rates,
                intents,
                target.getItemId(),
                target.getPlayRate(),
                target.getIntent().ordinal(),
                targetTime);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        usersCreatedState.update(List.of(usersCreated));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        usersCreatedState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("users-created", Types.LONG));
        usersCreated = 0;
        // After rescaling a subtask may get several counts (or none); the sum stays right.
        for (Long count : usersCreatedState.get()) {
            usersCreated += count;
        }
    }
}
