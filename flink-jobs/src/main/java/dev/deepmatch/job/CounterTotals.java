package dev.deepmatch.job;

import dev.deepmatch.schema.CounterTotal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * An operator's counters that continue across restarts instead of starting again from zero (a
 * dashboard would show a saw-tooth, and every total since the start would be lost): their totals go
 * into operator list state at each checkpoint and come back on restore. The totals are those of the
 * checkpoint, so plays replayed after a restore are counted once, as the rest of the state counts
 * them. After a rescale the entries are spread over the new subtasks; the job-wide sum of a counter
 * stays right.
 *
 * <p>Call {@link #initialize} from the operator's state initialization (before {@code open}),
 * {@link #counter} where the metrics are registered, {@link #snapshot} at each checkpoint.
 */
public final class CounterTotals {

    /** Name of the operator state, e.g. for the State Processor API. */
    public static final String STATE_NAME = "counter-totals";

    private final Map<String, Long> restored = new HashMap<>();
    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private final Map<String, Long> values = new LinkedHashMap<>();
    private ListState<CounterTotal> state;

    public void initialize(OperatorStateStore store) throws Exception {
        state =
                store.getListState(
                        new ListStateDescriptor<>(
                                STATE_NAME, new AvroTypeInfo<>(CounterTotal.class)));
        for (CounterTotal t : state.get()) {
            restored.merge(t.getName(), t.getCount(), Long::sum);
        }
    }

    /**
     * A counter registered in {@code group} under {@code name}, starting at its restored total;
     * {@code key} names it in the state and must be unique within the operator.
     */
    public Counter counter(MetricGroup group, String name, String key) {
        Counter c = group.counter(name, new SimpleCounter());
        c.inc(restored.getOrDefault(key, 0L));
        counters.put(key, c);
        return c;
    }

    /** {@link #counter(MetricGroup, String, String)} with the metric name as key. */
    public Counter counter(MetricGroup group, String name) {
        return counter(group, name, name);
    }

    /** A total that is not a metric (e.g. the hits behind a ratio), as restored; 0 if none. */
    public long restoredValue(String key) {
        return restored.getOrDefault(key, 0L);
    }

    /** Sets a total that is not a metric, for the next snapshot. */
    public void setValue(String key, long value) {
        values.put(key, value);
    }

    public void snapshot() throws Exception {
        List<CounterTotal> totals = new ArrayList<>();
        counters.forEach((k, c) -> totals.add(new CounterTotal(k, c.getCount())));
        values.forEach((k, v) -> totals.add(new CounterTotal(k, v)));
        state.update(totals);
    }
}
