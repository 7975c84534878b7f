package dev.deepmatch.model;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.Settings;
import java.io.Serializable;

/**
 * How this process runs a model, not part of the model: never in its snapshot, so a restored model
 * runs with the threads and precision of the process that restores it.
 *
 * @param threads worker threads inside one step or ranking
 * @param precision how the dense layers' products round
 * @param catalogueProducts which kernel runs the whole-catalogue products (top-N)
 */
public record ModelRuntime(int threads, Precision precision, CatalogueProducts catalogueProducts)
        implements Serializable {

    public ModelRuntime {
        ModelSettings.THREADS.validate(threads);
        ModelSettings.PRECISION.validate(precision);
        ModelSettings.CATALOGUE_PRODUCTS.validate(catalogueProducts);
    }

    /** A runtime with the default catalogue kernel. */
    public ModelRuntime(int threads, Precision precision) {
        this(threads, precision, ModelSettings.CATALOGUE_PRODUCTS.defaultValue());
    }

    /** The defaults of {@link ModelSettings#RUNTIME}. */
    public static ModelRuntime defaults() {
        return from(Settings.defaults());
    }

    public static ModelRuntime from(Settings s) {
        return new ModelRuntime(
                s.get(ModelSettings.THREADS),
                s.get(ModelSettings.PRECISION),
                s.get(ModelSettings.CATALOGUE_PRODUCTS));
    }

    public ModelRuntime withThreads(int n) {
        return new ModelRuntime(n, precision, catalogueProducts);
    }

    public ModelRuntime withPrecision(Precision p) {
        return new ModelRuntime(threads, p, catalogueProducts);
    }

    public ModelRuntime withCatalogueProducts(CatalogueProducts c) {
        return new ModelRuntime(threads, precision, c);
    }
}
