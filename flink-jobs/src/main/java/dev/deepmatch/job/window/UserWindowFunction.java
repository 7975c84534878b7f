package dev.deepmatch.job.window;

import dev.deepmatch.job.CounterTotals;
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
 * <p>A window is forgotten {@code state-ttl} after the listener's last play: its expiry timer
 * clears it then, so {@code usersInWindowState} counts the windows that exist. The timer is set
 * when the window is made and moved only when it fires early (the listener played since), not on
 * every play: one timer per window, and no timer work on the way of a play. State TTL, at twice the
 * setting, is only a backstop for windows without a timer (restored from release 0.1).
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
    private transient CounterTotals totals;

    public UserWindowFunction(WindowRule rule, Duration stateTtl) {
        this.rule = rule;
        this.stateTtl = stateTtl;
    }

    /**
     * The descriptor of the window state for a job's {@code state-ttl}, TTL included: what reads
     * the state elsewhere (the State Processor API) must declare it the same way, or the restore of
     * its serializer fails.
     */
    public static ValueStateDescriptor<UserWindow> windowStateDescriptor(Duration stateTtl) {
        ValueStateDescriptor<UserWindow> descriptor =
                new ValueStateDescriptor<>(WINDOW_STATE, new AvroTypeInfo<>(UserWindow.class));
        // Twice the setting: the expiry timer forgets a window first, so the TTL never hides a
        // window that is still counted.
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(stateTtl.multipliedBy(2))
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        .cleanupInRocksdbCompactFilter(1000)
                        .build());
        return descriptor;
    }

    @Override
    public void open(OpenContext openContext) {
        window = getRuntimeContext().getState(windowStateDescriptor(stateTtl));

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        playsAccepted = totals.counter(metrics, LearnerMetrics.PLAYS_ACCEPTED);
        lateDropped = totals.counter(metrics, LearnerMetrics.LATE_PLAYS_DROPPED);
        duplicatesDropped = totals.counter(metrics, LearnerMetrics.DUPLICATE_PLAYS_DROPPED);
        examplesOut = totals.counter(metrics, LearnerMetrics.EXAMPLES_OUT);
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
                long now = ctx.timerService().currentProcessingTime();
                long expiresAt = now + stateTtl.toMillis();
                if (current == null || current.getExpiresAtMillis() == 0) {
                    // a new window, or one of release 0.1 (no timer yet)
                    ctx.timerService().registerProcessingTimeTimer(expiresAt);
                }
                if (current == null) {
                    windows++;
                    updated.setCreatedAtMillis(now);
                }
                updated.setExpiresAtMillis(expiresAt);
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
     * Each counted window has exactly one timer. Fired early (the listener played since), it moves
     * to the window's new expiry; fired on time, the window is forgotten.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingExample> out)
            throws Exception {
        UserWindow current = window.value();
        if (current != null && timestamp < current.getCreatedAtMillis()) {
            // The timer of an earlier window of this listener, which the state TTL (the
            // backstop) dropped before the timer fired, e.g. after a stop longer than twice
            // state-ttl: that window is gone, and the one made since has its own timer.
            windows--;
            return;
        }
        if (current != null && current.getExpiresAtMillis() > timestamp) {
            ctx.timerService().registerProcessingTimeTimer(current.getExpiresAtMillis());
            return;
        }
        window.clear();
        windows--;
    }

    /** What the windows gauge reads, for tests. */
    long windows() {
        return windows;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        windowsState.update(List.of(windows));
        totals.snapshot();
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
        totals = new CounterTotals();
        totals.initialize(context.getOperatorStateStore());
    }
}
