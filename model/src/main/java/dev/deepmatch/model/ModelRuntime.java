package dev.deepmatch.model;

import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.Settings;
import java.io.Serializable;

/**
 * How this process runs a model, not part of the model: never in its snapshot, so a restored model
 * runs with the threads and precision of the process that restores it.
 *
 * @param threads worker threads inside one step or ranking
 * @param precision how the dense layers' products round
 */
public record ModelRuntime(int threads, Precision precision) implements Serializable {

    public ModelRuntime {
        ModelSettings.THREADS.validate(threads);
        ModelSettings.PRECISION.validate(precision);
    }

    /** The defaults of {@link ModelSettings#RUNTIME}. */
    public static ModelRuntime defaults() {
        return from(Settings.defaults());
    }

    public static ModelRuntime from(Settings s) {
        return new ModelRuntime(s.get(ModelSettings.THREADS), s.get(ModelSettings.PRECISION));
    }

    public ModelRuntime withThreads(int n) {
        return new ModelRuntime(n, precision);
    }

    public ModelRuntime withPrecision(Precision p) {
        return new ModelRuntime(threads, p);
    }
}
