package dev.deepmatch.job.produce;

import dev.deepmatch.generator.ListenerGenerator;
import dev.deepmatch.schema.PlaybackEvent;

/** The endless synthetic listeners. */
public final class GeneratorEventSource implements EventSource {

    private final ListenerGenerator generator;

    public GeneratorEventSource(ListenerGenerator generator) {
        this.generator = generator;
    }

    @Override
    public PlaybackEvent next() {
        return generator.next();
    }

    @Override
    public String describe() {
        return "generator " + generator.config();
    }

    @Override
    public void close() {}
}
