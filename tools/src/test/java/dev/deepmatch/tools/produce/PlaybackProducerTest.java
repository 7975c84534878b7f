package dev.deepmatch.tools.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.client.PlaybackEventProducer;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.EventTime;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class PlaybackProducerTest {

    @Test
    void sendsEveryEventKeyedByUserUntilTheSourceEnds() throws Exception {
        List<PlaybackEvent> events = events(50);
        MockProducer<byte[], byte[]> kafka = mockProducer();
        PlaybackProducer producer =
                new PlaybackProducer(plays(kafka), 0, Long.MAX_VALUE, EventTime.SOURCE);

        assertThat(producer.run(listSource(events))).isEqualTo(50);

        List<ProducerRecord<byte[], byte[]>> sent = kafka.history();
        assertThat(sent).hasSize(50);
        for (int i = 0; i < sent.size(); i++) {
            ProducerRecord<byte[], byte[]> r = sent.get(i);
            assertThat(r.topic()).isEqualTo("plays");
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(events.get(i).getUserId());
            assertThat(WireCodec.PLAYBACK_EVENT.decode(r.value())).isEqualTo(events.get(i));
        }
        assertThat(producer.finished()).isTrue();
    }

    @Test
    void stopsAtMaxEvents() throws Exception {
        MockProducer<byte[], byte[]> kafka = mockProducer();
        PlaybackProducer producer = new PlaybackProducer(plays(kafka), 0, 123, EventTime.SOURCE);
        assertThat(producer.run(generatorSource())).isEqualTo(123);
        assertThat(kafka.history()).hasSize(123);
    }

    @Test
    void holdsTheTargetRate() throws Exception {
        PlaybackProducer producer =
                new PlaybackProducer(plays(mockProducer()), 500, 250, EventTime.SOURCE);
        long start = System.nanoTime();
        producer.run(generatorSource());
        double seconds = (System.nanoTime() - start) / 1e9;
        // 250 events at 500/s: the last one is due after 0.498 s
        assertThat(seconds)
                .as("250 events at 500/s took only %s s", seconds)
                .isGreaterThanOrEqualTo(0.49);
        assertThat(seconds).as("pacing far too slow: %s s", seconds).isLessThan(5.0);
    }

    @Test
    void stopEndsAnEndlessRun() throws Exception {
        PlaybackProducer producer =
                new PlaybackProducer(plays(mockProducer()), 1000, Long.MAX_VALUE, EventTime.SOURCE);
        Thread t =
                new Thread(
                        () -> {
                            try {
                                producer.run(generatorSource());
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        t.start();
        Thread.sleep(300);
        producer.stop();
        t.join(5_000);
        assertThat(producer.finished()).as("run did not end after stop()").isTrue();
        assertThat(producer.sent())
                .as("sent %s", producer.sent())
                .isGreaterThan(0)
                .isLessThan(5_000);
    }

    @Test
    void stampsTheWallClockWhenAsked() throws Exception {
        MockProducer<byte[], byte[]> kafka = mockProducer();
        long before = System.currentTimeMillis();
        PlaybackProducer producer = new PlaybackProducer(plays(kafka), 0, 10, EventTime.NOW);
        producer.run(listSource(events(10)));
        assertThat(kafka.history()).hasSize(10);
        for (ProducerRecord<byte[], byte[]> r : kafka.history()) {
            PlaybackEvent e = WireCodec.PLAYBACK_EVENT.decode(r.value());
            assertThat(e.getEventTimeMillis().toEpochMilli())
                    .as("%s", e)
                    .isGreaterThanOrEqualTo(before);
        }
    }

    @Test
    void aFailedSendStopsTheRunAndIsRethrown() {
        MockProducer<byte[], byte[]> kafka =
                new MockProducer<>(
                        false, null, new ByteArraySerializer(), new ByteArraySerializer());
        RuntimeException boom = new RuntimeException("broker gone");
        PlaybackProducer producer =
                new PlaybackProducer(plays(kafka), 0, Long.MAX_VALUE, EventTime.SOURCE);
        EventSource failing =
                new EventSource() {
                    final EventSource inner = generatorSource();

                    @Override
                    public PlaybackEvent next() throws java.io.IOException {
                        if (!kafka.history().isEmpty()) {
                            kafka.errorNext(boom);
                        }
                        return inner.next();
                    }

                    @Override
                    public String describe() {
                        return "failing";
                    }

                    @Override
                    public void close() {}
                };
        assertThatThrownBy(() -> producer.run(failing))
                .isInstanceOf(Exception.class)
                .isSameAs(boom);
    }

    @Test
    void rejectsANegativeRate() {
        assertThatThrownBy(
                        () -> new PlaybackProducer(plays(mockProducer()), -1, 1, EventTime.SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rate");
    }

    private static PlaybackEventProducer plays(MockProducer<byte[], byte[]> kafka) {
        return PlaybackEventProducer.over(kafka, "plays");
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static EventSource generatorSource() {
        return new ListenerGenerator(GeneratorConfig.builder().build());
    }

    private static List<PlaybackEvent> events(int n) {
        List<PlaybackEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(
                    PlaybackEvent.newBuilder()
                            .setEventId("e" + i)
                            .setUserId("user-" + (i % 7))
                            .setItemId("item-" + i)
                            .setEventTimeMillis(Instant.ofEpochMilli(1000L * i))
                            .setPlayRate(0.5)
                            .setIntent(IntentType.AUTOPLAY)
                            .build());
        }
        return out;
    }

    private static EventSource listSource(List<PlaybackEvent> events) {
        Iterator<PlaybackEvent> it = events.iterator();
        return new EventSource() {
            @Override
            public PlaybackEvent next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public String describe() {
                return "list";
            }

            @Override
            public void close() {}
        };
    }
}
