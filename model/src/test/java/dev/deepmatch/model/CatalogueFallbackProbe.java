package dev.deepmatch.model;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import java.util.Arrays;

/**
 * Ranks a small model with the catalogue products asked for in {@code args[0]}, in a JVM of its
 * own: prints {@code fallback=<why ranking runs on Java, or null>} and one {@code top=} line per
 * user. {@link CatalogueFallbackTest} runs it with and without nd4j's native jars.
 */
public final class CatalogueFallbackProbe {
    private CatalogueFallbackProbe() {}

    public static void main(String[] args) {
        CatalogueProducts products = CatalogueProducts.valueOf(args[0]);
        for (String line : rank(products)) {
            System.out.println(line);
        }
    }

    static java.util.List<String> rank(CatalogueProducts products) {
        int items = 3000;
        DeepMatchModel model =
                Fixtures.modelWithItems(
                        Fixtures.tiny().build(),
                        Fixtures.RUNTIME.withCatalogueProducts(products),
                        items);
        model.train(Fixtures.batch(items, 3));
        int[][] top = model.topN(model.userVectors(Fixtures.batch(items, 4)), 10);
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add("fallback=" + model.catalogueFallback());
        for (int[] t : top) {
            out.add("top=" + Arrays.toString(t));
        }
        return out;
    }
}
