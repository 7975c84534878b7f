package dev.deepmatch.tools.produce;

import dev.deepmatch.client.PlaybackEventProducer;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.EventTime;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends events like a fleet of devices would, through the client's {@link PlaybackEventProducer}
 * (keyed by user id, so one user's plays stay in order on one partition, in the job's wire format),
 * at a steady rate.
 *
 * <p>Runs on the calling thread; {@link #stop()} from any thread ends it after the current event.
 * The first failed send stops it too and is rethrown from {@link #run()}.
 */
public final class PlaybackProducer {

    private final PlaybackEventProducer producer;
    private final double eventsPerSecond;
    private final long maxEvents;
    private final EventTime eventTime;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private volatile boolean finished;

    /**
     * @param eventsPerSecond target rate; 0 sends as fast as Kafka takes them
     * @param maxEvents stop after this many; {@code Long.MAX_VALUE} for no limit
     */
    public PlaybackProducer(
            PlaybackEventProducer producer,
            double eventsPerSecond,
            long maxEvents,
            EventTime eventTime) {
        if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException(
                    "rate must be >= 0 events/s (0 = unlimited), got " + eventsPerSecond);
        }
        if (maxEvents < 0) {
            throw new IllegalArgumentException("max events must be >= 0, got " + maxEvents);
        }
        this.producer = Objects.requireNonNull(producer, "producer");
        this.eventsPerSecond = eventsPerSecond;
        this.maxEvents = maxEvents;
        this.eventTime = Objects.requireNonNull(eventTime, "eventTime");
    }

    /**
     * Sends events from the source until it ends, {@code maxEvents} are sent or {@link #stop()} is
     * called, then flushes. Does not close the producer or the source.
     *
     * @return events sent and acknowledged
     */
    public long run(EventSource source) throws Exception {
        long start = System.nanoTime();
        try {
            while (!stopped && sent.get() < maxEvents) {
                PlaybackEvent event = source.next();
                if (event == null) {
                    break;
                }
                if (eventTime == EventTime.NOW) {
                    event.setEventTimeMillis(Instant.now());
                }
                pace(start, sent.get());
                send(event);
                Exception error = failure.get();
                if (error != null) {
                    throw error;
                }
            }
            producer.flush();
            Exception error = failure.get();
            if (error != null) {
                throw error;
            }
            return acked.get();
        } finally {
            finished = true;
        }
    }

    private void send(PlaybackEvent event) {
        producer.send(
                event,
                (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    } else {
                        acked.incrementAndGet();
                    }
                });
        sent.incrementAndGet();
    }

    /** Sleeps until event {@code n} is due, so bursts never exceed the target rate. */
    private void pace(long startNanos, long n) {
        if (eventsPerSecond == 0) {
            return;
        }
        long due = startNanos + (long) (n * (TimeUnit.SECONDS.toNanos(1) / eventsPerSecond));
        long wait;
        while (!stopped && (wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Ends {@link #run} after the event in flight. */
    public void stop() {
        stopped = true;
    }

    public long sent() {
        return sent.get();
    }

    /** Events the broker has acknowledged. */
    public long acked() {
        return acked.get();
    }

    public boolean finished() {
        return finished;
    }
}
