package dev.deepmatch.recall.bench;

import dev.deepmatch.recall.index.VectorIndex;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/learner bench-recall}: the recall index at catalogue scale. Item vectors look like a
 * trained model's: clustered (items around one of {@code clusters} Gaussian centres, noise of 0.7
 * of a centre's spread) with norms that vary by a factor of five (popular items have longer
 * vectors); queries mix three centres plus noise, as a listener's taste does. It builds the index,
 * measures recall@k of the graph search against the exact top k over {@code queries} queries, then
 * an open-loop load: requests at fixed times, {@code rate} per second, from {@code clients}
 * threads, each latency measured from the request's scheduled time (queueing counts). The last line
 * is {@code recall@K=R p50_ms=A p99_ms=B qps=Q}. The load calls the index in-process (no HTTP).
 */
public final class RecallBenchMain {
    static final Setting<Integer> ITEMS =
            Setting.ofInt("items", 1_000_000).range(100, 50_000_000).describedAs("catalogue size");
    static final Setting<Integer> DIMENSION =
            Setting.ofInt("dimension", 64).range(2, 1024).describedAs("vector width (hidden)");
    static final Setting<Integer> CLUSTERS =
            Setting.ofInt("clusters", 1_000)
                    .range(1, 1_000_000)
                    .describedAs("centres of the items");
    static final Setting<Integer> QUERIES =
            Setting.ofInt("queries", 500).range(1, 100_000).describedAs("queries checked exactly");
    static final Setting<Integer> K = Setting.ofInt("k", 50).range(1, 1000).describedAs("top k");
    static final Setting<Integer> RATE =
            Setting.ofInt("rate", 200).range(1, 1_000_000).describedAs("requests/s of the load");
    static final Setting<Integer> CLIENTS =
            Setting.ofInt("clients", 8).range(1, 1024).describedAs("client threads of the load");
    static final Setting<Integer> SECONDS =
            Setting.ofInt("seconds", 20).range(1, 3600).describedAs("load duration");
    static final Setting<List<Integer>> CANDIDATES =
            Setting.ofSortedIntList(
                            "candidates", List.of(VectorIndex.Options.DEFAULTS.candidates()))
                    .describedAs(
                            "nodes a query keeps while searching (ef); each value is measured on"
                                    + " the same index");

    static final Setting<Integer> MAX_CONN =
            Setting.ofInt("max-conn", VectorIndex.Options.DEFAULTS.maxConn())
                    .range(2, 512)
                    .describedAs("neighbours per graph node (M)");
    static final Setting<Integer> BEAM_WIDTH =
            Setting.ofInt("beam-width", VectorIndex.Options.DEFAULTS.beamWidth())
                    .range(1, 3200)
                    .describedAs("candidates kept while inserting (efConstruction)");
    static final Setting<Long> SEED = Setting.ofLong("seed", 1L).describedAs("random seed");

    static final CommandLine COMMAND =
            CommandLine.builder(
                            "bench-recall",
                            "Builds the recall index over generated item vectors, then prints"
                                    + " recall@K against exact search and the latency under an"
                                    + " open-loop load: recall@K=R p50_ms=A p99_ms=B qps=Q.")
                    .group(
                            "bench-recall",
                            List.of(
                                    ITEMS,
                                    DIMENSION,
                                    CLUSTERS,
                                    QUERIES,
                                    K,
                                    RATE,
                                    CLIENTS,
                                    SECONDS,
                                    CANDIDATES,
                                    MAX_CONN,
                                    BEAM_WIDTH,
                                    SEED))
                    .build();

    private RecallBenchMain() {}

    public static void main(String[] argv) throws Exception {
        Settings s;
        try {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                System.out.print(COMMAND.usage());
                return;
            }
            s = parsed.settings();
        } catch (UsageException e) {
            System.err.println("bench-recall: " + e.getMessage());
            System.exit(2);
            return;
        }
        int n = s.get(ITEMS);
        int dim = s.get(DIMENSION);
        int k = s.get(K);
        SplittableRandom r = new SplittableRandom(s.get(SEED));
        float[][] centres = new float[s.get(CLUSTERS)][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = (float) r.nextGaussian();
            }
        }
        VectorIndex.Options options =
                new VectorIndex.Options(
                        s.get(MAX_CONN), s.get(BEAM_WIDTH), s.get(CANDIDATES).get(0));
        try (VectorIndex index = new VectorIndex(dim, null, options)) {
            long t0 = System.nanoTime();
            float[] x = new float[dim];
            for (int i = 0; i < n; i++) {
                float[] c = centres[r.nextInt(centres.length)];
                double norm = 0.4 + 1.6 * r.nextDouble();
                for (int j = 0; j < dim; j++) {
                    x[j] = (float) (norm * (c[j] + 0.7 * r.nextGaussian()));
                }
                index.put("t" + i, x, 1, false);
                if ((i + 1) % 100_000 == 0) {
                    System.err.printf(
                            Locale.ROOT,
                            "bench-recall: %d items in %.0f s%n",
                            i + 1,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            index.refresh();
            double build = (System.nanoTime() - t0) / 1e9;
            float[][] queries = new float[Math.max(s.get(QUERIES), 1_000)][];
            for (int q = 0; q < queries.length; q++) {
                queries[q] = query(centres, dim, r);
            }
            int checked = s.get(QUERIES);
            List<Set<String>> exact = new ArrayList<>();
            for (int q = 0; q < checked; q++) {
                exact.add(ids(index.exact(queries[q], k, Set.of())));
            }
            System.out.printf(
                    Locale.ROOT,
                    "| items | dim | M | beam | build s | items/s | candidates | recall@%d | rate |"
                            + " clients | p50 ms | p99 ms | qps |%n"
                            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|%n",
                    k);
            String last = null;
            for (int candidates : s.get(CANDIDATES)) {
                double found = 0;
                for (int q = 0; q < checked; q++) {
                    Set<String> approx = ids(index.search(queries[q], k, Set.of(), candidates));
                    approx.retainAll(exact.get(q));
                    found += (double) approx.size() / exact.get(q).size();
                }
                double recall = found / checked;
                double[] load =
                        load(
                                index,
                                queries,
                                k,
                                candidates,
                                s.get(RATE),
                                s.get(CLIENTS),
                                s.get(SECONDS));
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %d | %d | %d | %.1f | %.0f | %d | %.4f | %d | %d | %.2f | %.2f |"
                                + " %.1f |%n",
                        n,
                        dim,
                        options.maxConn(),
                        options.beamWidth(),
                        build,
                        n / build,
                        candidates,
                        recall,
                        s.get(RATE),
                        s.get(CLIENTS),
                        load[0],
                        load[1],
                        load[2]);
                last =
                        String.format(
                                Locale.ROOT,
                                "recall@%d=%.4f p50_ms=%.2f p99_ms=%.2f qps=%.1f",
                                k,
                                recall,
                                load[0],
                                load[1],
                                load[2]);
            }
            System.out.println(last);
        }
    }

    private static float[] query(float[][] centres, int dim, SplittableRandom r) {
        float[] q = new float[dim];
        for (int m = 0; m < 3; m++) {
            float[] c = centres[r.nextInt(centres.length)];
            for (int j = 0; j < dim; j++) {
                q[j] += c[j] / 3;
            }
        }
        for (int j = 0; j < dim; j++) {
            q[j] += (float) (0.3 * r.nextGaussian());
        }
        return q;
    }

    /** p50 ms, p99 ms and requests/s completed of an open-loop load. */
    private static double[] load(
            VectorIndex index,
            float[][] queries,
            int k,
            int candidates,
            int rate,
            int clients,
            int seconds)
            throws Exception {
        int total = rate * seconds;
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + 100_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<double[]>> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            parts.add(
                    pool.submit(
                            () -> {
                                List<Double> lat = new ArrayList<>();
                                for (int i = client; i < total; i += clients) {
                                    long due = start + i * intervalNanos;
                                    long wait = due - System.nanoTime();
                                    if (wait > 0) {
                                        TimeUnit.NANOSECONDS.sleep(wait);
                                    }
                                    index.search(
                                            queries[i % queries.length], k, Set.of(), candidates);
                                    lat.add((System.nanoTime() - due) / 1e6);
                                }
                                return lat.stream().mapToDouble(Double::doubleValue).toArray();
                            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<double[]> f : parts) {
            for (double d : f.get()) {
                all.add(d);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        double[] sorted = all.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return new double[] {
            sorted[(int) (0.5 * (sorted.length - 1))],
            sorted[(int) Math.floor(0.99 * (sorted.length - 1))],
            sorted.length / elapsed
        };
    }

    private static Set<String> ids(List<VectorIndex.Hit> hits) {
        Set<String> out = new HashSet<>();
        hits.forEach(h -> out.add(h.itemId()));
        return out;
    }
}
