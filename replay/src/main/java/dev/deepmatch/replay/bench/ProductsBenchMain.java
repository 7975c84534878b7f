package dev.deepmatch.replay.bench;

import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.model.catalogue.CatalogueMatrix;
import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.catalogue.CatalogueSearch;
import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code bin/learner bench-products}: matrix products at the model's shapes on the project's Java
 * kernels and on nd4j-native, one and two threads, and the prequential top-N over a large catalogue
 * against the double kernel it replaced. Rounds alternate the implementations; each figure is the
 * median over rounds. Dense shapes (the encoder's) run as the encoder runs them ({@link Blas#gemm}
 * at float precision on double operands, rows split across threads); shapes with N of at least
 * {@link #CATALOGUE_N} run as the catalogue does ({@link CatalogueMatrix}, N rows of width K, M
 * queries).
 */
public final class ProductsBenchMain {
    static final int CATALOGUE_N = 10_000;

    static final Setting<List<Integer>> THREADS =
            Setting.ofSortedIntList("threads", List.of(1, 2))
                    .describedAs("thread counts to measure");

    static final Setting<Integer> ROUNDS =
            Setting.ofInt("rounds", 3).range(1, 100).describedAs("alternating rounds per figure");

    static final Setting<Double> SECONDS =
            Setting.ofDouble("seconds", 0.5)
                    .range(0.01, 60.0)
                    .describedAs("minimum timed seconds per figure and round");

    static final Setting<Integer> TOPN_ITEMS =
            Setting.ofInt("topn-items", 1_000_000)
                    .range(0, 100_000_000)
                    .describedAs("catalogue size of the top-N figures (0 skips them)");

    static final Setting<String> SHAPES =
            Setting.ofString("shapes", "512x64x64,512x64x128,256x64x356,64x64x50000,64x64x1000000")
                    .describedAs("products to measure, MxKxN, comma-separated");

    static final CommandLine COMMAND =
            CommandLine.builder(
                            "bench-products",
                            "Times matrix products (shape=MxKxN impl=java|nd4j threads=T"
                                    + " gflops=G) and the prequential top-N (topn users=64"
                                    + " items=N threads=T ms=T) on this machine.")
                    .group("bench-products", List.of(SHAPES, THREADS, ROUNDS, SECONDS, TOPN_ITEMS))
                    .build();

    private ProductsBenchMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Settings s;
        List<int[]> shapes;
        try {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                out.print(COMMAND.usage());
                return 0;
            }
            s = parsed.settings();
            shapes = parseShapes(s.get(SHAPES));
        } catch (UsageException e) {
            err.println("bench-products: " + e.getMessage());
            err.println("bench-products: --help lists the settings");
            return 2;
        }
        CatalogueMatrix probe;
        try {
            probe = CatalogueProducts.ND4J.open(1, 1);
        } catch (IllegalStateException e) {
            err.println("bench-products: " + e.getMessage());
            return 1;
        }
        probe.close();
        Timer timer = new Timer(s.get(SECONDS));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            err.println(
                    "bench-products: "
                            + s.get(ROUNDS)
                            + " rounds, kernels "
                            + (Blas.VECTORIZED ? "vector" : "scalar")
                            + ", "
                            + Runtime.getRuntime().availableProcessors()
                            + " cores");
            for (int[] shape : shapes) {
                for (int threads : s.get(THREADS)) {
                    Measured java =
                            shape[2] >= CATALOGUE_N
                                    ? catalogue(CatalogueProducts.JAVA, shape, threads, pool)
                                    : javaDense(shape, threads, pool);
                    Measured nd4j =
                            shape[2] >= CATALOGUE_N
                                    ? catalogue(CatalogueProducts.ND4J, shape, threads, pool)
                                    : nd4jDense(shape, threads);
                    double flops = 2.0 * shape[0] * shape[1] * shape[2];
                    // Process-wide and costly to change (OpenBLAS re-sizes its pool), so set once
                    // per figure; the Java side never reads it.
                    Nd4j.factory().blas().setMaxThreads(threads);
                    double[][] seconds = alternate(timer, s.get(ROUNDS), java, nd4j);
                    for (int i = 0; i < 2; i++) {
                        out.printf(
                                Locale.ROOT,
                                "shape=%dx%dx%d impl=%s threads=%d gflops=%.1f%n",
                                shape[0],
                                shape[1],
                                shape[2],
                                i == 0 ? "java" : "nd4j",
                                threads,
                                flops / median(seconds[i]) / 1e9);
                    }
                    java.close();
                    nd4j.close();
                }
            }
            int items = s.get(TOPN_ITEMS);
            if (items > 0) {
                topN(out, timer, s.get(ROUNDS), items, pool);
            }
            return 0;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The prequential top-N, 64 users by the whole catalogue, top 50: the double kernel over H-wide
     * item vectors it replaced ("before"; the item vectors' recomputation not counted), the
     * catalogue kernels at width H = 64, and at width E = 16, which the factorized model ranks at.
     */
    private static void topN(
            PrintStream out, Timer timer, int rounds, int items, ExecutorService pool) {
        int users = 64;
        int n = 50;
        double beforeMs = Double.NaN, trainerMs = Double.NaN;
        CatalogueProducts trainerKernel = CatalogueProducts.AUTO.kernelFor(items);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int width : new int[] {64, TRAINER_WIDTH}) {
            double[] table = gaussian(rnd, (long) items * width);
            double[][] userVectors = new double[users][];
            for (int u = 0; u < users; u++) {
                userVectors[u] = gaussian(rnd, width);
            }
            float[] queries = new float[users * width];
            for (int u = 0; u < users; u++) {
                for (int p = 0; p < width; p++) {
                    queries[u * width + p] = (float) userVectors[u][p];
                }
            }
            Nd4j.factory().blas().setMaxThreads(1);
            List<Measured> impls = new ArrayList<>();
            List<String> names = new ArrayList<>();
            if (width == 64) {
                double[] tableT = new double[table.length];
                Blas.transpose(table, 0, items, width, tableT, 0);
                impls.add(
                        Measured.of(
                                () ->
                                        LegacyTopN.select(
                                                userVectors, tableT, items, width, n, 0, users),
                                () -> {}));
                names.add("before");
            }
            for (CatalogueProducts p : CatalogueProducts.KERNELS) {
                CatalogueMatrix m = p.open(width, 1);
                for (int r = 0; r < items; r++) {
                    m.setRow(r, table, r * width);
                }
                impls.add(
                        Measured.of(
                                () -> CatalogueSearch.topN(m, queries, users, items, n), m::close));
                names.add(p.name().toLowerCase(Locale.ROOT));
            }
            double[][] seconds = alternate(timer, rounds, impls.toArray(new Measured[0]));
            for (int i = 0; i < impls.size(); i++) {
                out.printf(
                        Locale.ROOT,
                        "topn users=%d items=%d width=%d impl=%s threads=1 ms=%.1f%n",
                        users,
                        items,
                        width,
                        names.get(i),
                        median(seconds[i]) * 1e3);
                if (names.get(i).equals("before")) {
                    beforeMs = median(seconds[i]) * 1e3;
                }
                if (width == TRAINER_WIDTH
                        && names.get(i).equals(trainerKernel.name().toLowerCase(Locale.ROOT))) {
                    trainerMs = median(seconds[i]) * 1e3;
                }
                impls.get(i).close();
            }
        }
        // As the trainer ranks at the defaults: catalogue-products auto, queries of width E.
        out.printf(
                Locale.ROOT,
                "topn users=%d items=%d threads=1 ms=%.1f (impl=%s width=%d; %.1fx the %.1f ms"
                        + " before)%n",
                users,
                items,
                trainerMs,
                trainerKernel.name().toLowerCase(Locale.ROOT),
                TRAINER_WIDTH,
                beforeMs / trainerMs,
                beforeMs);
    }

    /** The width the default model ranks at: E (factor-dim), the projection folded into queries. */
    private static final int TRAINER_WIDTH = ModelSettings.FACTOR_DIM.defaultValue();

    private static Measured javaDense(int[] shape, int threads, ExecutorService pool) {
        int m = shape[0], k = shape[1], nn = shape[2];
        SplittableRandom rnd = new SplittableRandom(1);
        double[] a = gaussian(rnd, (long) m * k);
        double[] b = gaussian(rnd, (long) k * nn);
        double[] c = new double[m * nn];
        return Measured.of(
                () ->
                        split(
                                pool,
                                threads,
                                m,
                                (from, to) ->
                                        Blas.gemm(
                                                Precision.FLOAT,
                                                a,
                                                from * k,
                                                b,
                                                0,
                                                false,
                                                c,
                                                from * nn,
                                                to - from,
                                                k,
                                                nn,
                                                false,
                                                null)),
                () -> {});
    }

    private static Measured nd4jDense(int[] shape, int threads) {
        Nd4j.factory().blas().setMaxThreads(threads);
        INDArray a = Nd4j.rand(DataType.FLOAT, shape[0], shape[1]);
        INDArray b = Nd4j.rand(DataType.FLOAT, shape[1], shape[2]);
        INDArray c = Nd4j.zeros(DataType.FLOAT, shape[0], shape[2]);
        return Measured.of(
                () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0),
                () -> {
                    a.close();
                    b.close();
                    c.close();
                });
    }

    /** M queries against N catalogue rows of width K, every block scored (no selection). */
    private static Measured catalogue(
            CatalogueProducts products, int[] shape, int threads, ExecutorService pool) {
        int q = shape[0], width = shape[1], rows = shape[2];
        CatalogueMatrix m = products.open(width, threads);
        SplittableRandom rnd = new SplittableRandom(2);
        double[] row = new double[width];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < width; p++) {
                row[p] = gaussian(rnd);
            }
            m.setRow(r, row, 0);
        }
        float[] queries = new float[q * width];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = (float) gaussian(rnd);
        }
        int blocks = m.blocks(rows);
        // The Java kernel runs on the caller's thread, so threads split the queries (as the
        // model's ranking does); nd4j threads inside its BLAS.
        int parts = products == CatalogueProducts.JAVA ? threads : 1;
        float[][] scores = new float[parts][q * m.blockRows()];
        return Measured.of(
                () ->
                        split(
                                pool,
                                parts,
                                q,
                                (from, to) -> {
                                    float[] mine =
                                            Arrays.copyOfRange(queries, from * width, to * width);
                                    float[] out = scores[parts == 1 ? 0 : from * parts / q];
                                    for (int b = 0; b < blocks; b++) {
                                        m.scoreBlock(mine, to - from, b, out);
                                    }
                                }),
                m::close);
    }

    private interface Range {
        void run(int from, int to);
    }

    private static void split(ExecutorService pool, int parts, int n, Range body) {
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = n * p / parts, to = n * (p + 1) / parts;
            futures.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, n / parts); // the caller takes the first part
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One implementation's call, and how to release what it holds. */
    private record Measured(Runnable call, Runnable release) implements AutoCloseable {
        static Measured of(Runnable call, Runnable release) {
            return new Measured(call, release);
        }

        @Override
        public void close() {
            release.run();
        }
    }

    /** Seconds per call of each implementation, per round, the order rotating every round. */
    private static double[][] alternate(Timer timer, int rounds, Measured... impls) {
        double[][] seconds = new double[impls.length][rounds];
        for (Measured m : impls) {
            m.call().run(); // the first call also compiles and allocates
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < impls.length; i++) {
                int at = (i + r) % impls.length;
                seconds[at][r] = timer.secondsPerCall(impls[at].call());
            }
        }
        return seconds;
    }

    /** Calls until at least the minimum time has passed; seconds per call. */
    private record Timer(double minSeconds) {
        double secondsPerCall(Runnable call) {
            long start = System.nanoTime();
            long calls = 0;
            long elapsed;
            do {
                call.run();
                calls++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < minSeconds * 1e9);
            return elapsed / 1e9 / calls;
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static List<int[]> parseShapes(String text) throws UsageException {
        List<int[]> shapes = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] dims = part.trim().split("x");
            try {
                if (dims.length != 3) {
                    throw new NumberFormatException();
                }
                int[] shape = new int[3];
                for (int i = 0; i < 3; i++) {
                    shape[i] = Integer.parseInt(dims[i]);
                    if (shape[i] <= 0) {
                        throw new NumberFormatException();
                    }
                }
                shapes.add(shape);
            } catch (NumberFormatException e) {
                throw new UsageException(
                        "--shapes: \"" + part.trim() + "\" is not MxKxN with positive sizes");
            }
        }
        return shapes;
    }

    private static double[] gaussian(SplittableRandom rnd, long n) {
        double[] out = new double[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = gaussian(rnd);
        }
        return out;
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()))
                * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
