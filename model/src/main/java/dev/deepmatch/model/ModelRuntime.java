package dev.deepmatch.model;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.Settings;
import java.io.Serializable;
import java.time.Duration;

/**
 * How this process runs a model, not part of the model: never in its snapshot, so a restored model
 * runs with the threads, precision and catalogue policy of the process that restores it.
 *
 * @param threads worker threads inside one step or ranking
 * @param precision how the dense layers' products round
 * @param catalogueProducts which kernel runs the whole-catalogue products (top-N)
 * @param itemAdmissionPlays plays an unseen item id needs before it gets a row
 * @param itemEvictionAfter how long a row may go unplayed (event time) before it is evicted; zero:
 *     never. A policy of the catalogue, not of the model: it may change from one run to the next
 */
public record ModelRuntime(
        int threads,
        Precision precision,
        CatalogueProducts catalogueProducts,
        int itemAdmissionPlays,
        Duration itemEvictionAfter)
        implements Serializable {

    public ModelRuntime {
        ModelSettings.THREADS.validate(threads);
        ModelSettings.PRECISION.validate(precision);
        ModelSettings.CATALOGUE_PRODUCTS.validate(catalogueProducts);
        ModelSettings.ITEM_ADMISSION_PLAYS.validate(itemAdmissionPlays);
        ModelSettings.ITEM_EVICTION_AFTER.validate(itemEvictionAfter);
    }

    /** A runtime with the default catalogue policy. */
    public ModelRuntime(int threads, Precision precision, CatalogueProducts catalogueProducts) {
        this(
                threads,
                precision,
                catalogueProducts,
                ModelSettings.ITEM_ADMISSION_PLAYS.defaultValue(),
                ModelSettings.ITEM_EVICTION_AFTER.defaultValue());
    }

    /** A runtime with the default catalogue kernel and policy. */
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
                s.get(ModelSettings.CATALOGUE_PRODUCTS),
                s.get(ModelSettings.ITEM_ADMISSION_PLAYS),
                s.get(ModelSettings.ITEM_EVICTION_AFTER));
    }

    /** {@link #itemEvictionAfter} in milliseconds; 0: never. */
    public long itemEvictionAfterMillis() {
        return itemEvictionAfter.toMillis();
    }

    public ModelRuntime withThreads(int n) {
        return new ModelRuntime(
                n, precision, catalogueProducts, itemAdmissionPlays, itemEvictionAfter);
    }

    public ModelRuntime withPrecision(Precision p) {
        return new ModelRuntime(
                threads, p, catalogueProducts, itemAdmissionPlays, itemEvictionAfter);
    }

    public ModelRuntime withCatalogueProducts(CatalogueProducts c) {
        return new ModelRuntime(threads, precision, c, itemAdmissionPlays, itemEvictionAfter);
    }

    public ModelRuntime withItemAdmissionPlays(int plays) {
        return new ModelRuntime(threads, precision, catalogueProducts, plays, itemEvictionAfter);
    }

    public ModelRuntime withItemEvictionAfter(Duration after) {
        return new ModelRuntime(threads, precision, catalogueProducts, itemAdmissionPlays, after);
    }
}
