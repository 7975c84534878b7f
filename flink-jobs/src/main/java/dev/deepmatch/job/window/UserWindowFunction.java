package dev.deepmatch.job.window;

import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserWindow;
import java.time.Duration;
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
 * Per listener (the key): their window in RocksDB, kept by the {@link WindowRule} the replay uses
 * too. Every play with an earlier play is emitted at once as a training example; late plays and
 * replayed event ids are dropped and counted.
 *
 * <p>A window is forgotten {@code state-ttl} after the listener's last play: a processing-time
 * timer at that moment clears it, so {@code usersInWindowState} counts the windows that exist
 * (state TTL stays as a backstop that cleans up in RocksDB compaction).
 */
public class UserWindowFunction extends KeyedProcessFunction<String, PlaybackEvent, TrainingExample>
        implements CheckpointedFunction {

    /** Name of the keyed state, e.g. for the State Processor API. */
    public static final String WINDOW_STATE = "user-window";

    private final WindowRule rule;
    private final Duration stateTtl;

    private transient ValueState<UserWindow> window;

    /**
     * Windows of this subtask with an expiry timer, kept across restarts; after a rescale the
     * subtasks' counts may move apart, their sum stays right.
     */
    private transient ListState<Long> windowsState;

    private transient volatile long windows;
    private transient Counter playsAccepted;
    private transient Counter lateDropped;
    private transient Counter duplicatesDropped;
    private transient Counter examplesOut;

    public UserWindowFunction(WindowRule rule, Duration stateTtl) {
        this.rule = rule;
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserWindow> descriptor =
                new ValueStateDescriptor<>(WINDOW_STATE, new AvroTypeInfo<>(UserWindow.class));
        // The expiry timer fires no later than the TTL (both count from the same write); the TTL
        // cleans up what a timer could not, e.g. windows restored from before the timers.
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(stateTtl)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        window = getRuntimeContext().getState(descriptor);

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        playsAccepted = metrics.counter(LearnerMetrics.PLAYS_ACCEPTED);
        lateDropped = metrics.counter(LearnerMetrics.LATE_PLAYS_DROPPED);
        duplicatesDropped = metrics.counter(LearnerMetrics.DUPLICATE_PLAYS_DROPPED);
        examplesOut = metrics.counter(LearnerMetrics.EXAMPLES_OUT);
        metrics.gauge(LearnerMetrics.USERS_IN_WINDOW_STATE, (Gauge<Long>) () -> windows);
    }

    @Override
    public void processElement(PlaybackEvent event, Context ctx, Collector<TrainingExample> out)
            throws Exception {
        UserWindow current = window.value();
        WindowRule.Result r =
                rule.accept(
                        ctx.getCurrentKey(), current, event, ctx.timerService().currentWatermark());
        switch (r.outcome()) {
            case LATE -> lateDropped.inc();
            case DUPLICATE -> duplicatesDropped.inc();
            case ACCEPTED -> {
                UserWindow updated = r.window();
                if (current == null) {
                    windows++;
                } else if (current.getExpiresAtMillis() > 0) {
                    ctx.timerService().deleteProcessingTimeTimer(current.getExpiresAtMillis());
                }
                long expiresAt = ctx.timerService().currentProcessingTime() + stateTtl.toMillis();
                updated.setExpiresAtMillis(expiresAt);
                ctx.timerService().registerProcessingTimeTimer(expiresAt);
                window.update(updated);
                playsAccepted.inc();
                if (r.example() != null) {
                    out.collect(r.example());
                    examplesOut.inc();
                }
            }
        }
    }

    /**
     * Each counted window has exactly one timer: a play extends it (delete and register), and a
     * firing ends it. A timer that is not the current window's own belongs to a window the TTL
     * removed before the listener came back; it ends that one.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingExample> out)
            throws Exception {
        UserWindow current = window.value();
        if (current != null && current.getExpiresAtMillis() == timestamp) {
            window.clear();
        }
        windows--;
    }

    /** What the windows gauge reads, for tests. */
    long windows() {
        return windows;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        windowsState.update(List.of(windows));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // The name of the count before it counted live windows: restored counts carry on.
        windowsState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("users-created", Types.LONG));
        windows = 0;
        for (Long count : windowsState.get()) {
            windows += count;
        }
    }
}
