package dev.deepmatch.model;

import dev.deepmatch.model.catalogue.CatalogueMatrix;
import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.catalogue.CatalogueSearch;
import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.optim.Adagrad;
import dev.deepmatch.model.optim.Adam;
import dev.deepmatch.schema.ModelShard;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The feedback-aware DeepMatch recall model: parameters, optimizer state, catalogue and sampler,
 * with one {@link #learn} call per mini-batch. Not thread-safe: one owner calls it; it may use
 * {@link ModelRuntime#threads()} worker threads inside a call.
 */
public final class DeepMatchModel implements AutoCloseable {
    private final ModelConfig cfg;
    private final ModelRuntime runtime;
    private final DenseLayout layout;
    private final Objective objective;
    private final Adam adam;
    private final ExecutorService pool;
    final ItemTable items;
    final double[] dense;
    final double[] denseM;
    final double[] denseV;
    long steps;
    long rejectedItems;

    /** Event time (ms) of the newest play learned from: the clock of the catalogue's eviction. */
    long clock;

    private long nextSweep;

    /**
     * Ids evicted within the last quarter of the eviction time, with the clock at their eviction: a
     * peer that has not evicted them yet may still send changes of them as negatives or history.
     */
    private final java.util.Map<String, Long> recentlyEvicted = new java.util.HashMap<>();

    private long heldBackPlays;

    /** Plays of ids awaiting admission; null while every id is admitted at its first play. */
    private final AdmissionSketch admission;

    /**
     * Counters of the admission sketch: 4 x 2^21 bytes (8 MiB) per model; an id is admitted if its
     * plays come within about a million plays of ids not yet admitted.
     */
    private static final int ADMISSION_LOG2_WIDTH = 21;

    private int[] localScratch = new int[0];

    /** The float copy of the item table that {@link #topN} scores; opened at its first call. */
    private CatalogueMatrix scoring;

    private CatalogueProducts scoringKernel;

    private String catalogueFallback;

    /** Records this replica's changes for its peers; null for a model trained alone. */
    ModelExchange exchange;

    /** Mixed into the sampling seed, so replicas at the same version draw different negatives. */
    private long samplingSalt;

    /** Examples of earlier batches trained again with fresh ones; created at the first batch. */
    private ReplayBuffer replay;

    public DeepMatchModel(ModelConfig config, ModelRuntime runtime) {
        this(config, runtime, true);
    }

    DeepMatchModel(ModelConfig config, ModelRuntime runtime, boolean initialize) {
        Blas.warmUp();
        this.cfg = config;
        this.runtime = runtime;
        this.admission =
                runtime.itemAdmissionPlays() > 1 ? new AdmissionSketch(ADMISSION_LOG2_WIDTH) : null;
        this.layout = new DenseLayout(config);
        this.adam = new Adam(config.adamBeta1(), config.adamBeta2(), config.adamEpsilon());
        this.pool =
                runtime.threads() > 1
                        ? Executors.newFixedThreadPool(
                                runtime.threads(),
                                r -> {
                                    Thread t = new Thread(r, "deepmatch-worker");
                                    t.setDaemon(true);
                                    return t;
                                })
                        : null;
        this.objective = new Objective(config, runtime, layout, pool);
        this.items =
                new ItemTable(
                        config.rowWidth(),
                        config.itemDim(),
                        config.catalogueCapacity(),
                        config.initScale(),
                        config.samplerPower(),
                        config.seed());
        this.dense = new double[layout.size];
        this.denseM = new double[layout.size];
        this.denseV = new double[layout.size];
        if (initialize) {
            initialize(new SplittableRandom(config.seed()));
        }
    }

    private void initialize(SplittableRandom rnd) {
        int h = cfg.hidden();
        fill(rnd, layout.pos, cfg.windowLength() * h, cfg.initScale());
        fill(rnd, layout.rateW, h, cfg.initScale());
        // Start with rate-weighted item identity (itemVector * rate): a skipped play says little
        // about what comes next. Training can restore identity per dimension via the base gate.
        fill(rnd, layout.gateBase, h, cfg.initScale());
        fill(rnd, layout.rateGate, h, cfg.initScale());
        if (cfg.rateAndIntent()) {
            for (int j = 0; j < h; j++) {
                dense[layout.gateBase + j] -= 1;
                dense[layout.rateGate + j] += 1;
            }
        }
        fill(rnd, layout.intent, cfg.intentTypes() * h, cfg.initScale());
        Arrays.fill(dense, layout.ln0Gamma, layout.ln0Gamma + h, 1.0);
        if (cfg.factorized()) {
            fill(rnd, layout.proj, cfg.factorDim() * h, 1.0 / Math.sqrt(cfg.factorDim()));
        }
        if (layout.successorGate >= 0) {
            // The gate starts open at 1 (softplus(0.5413) = 1), ignoring the user vector.
            dense[layout.successorGate + h] = Math.log(Math.E - 1);
        }
        if (layout.nextItemHead >= 0) {
            // Starts as the identity: the head begins by reading the ranking vector itself.
            for (int j = 0; j < h; j++) {
                dense[layout.nextItemHead + j * h + j] = 1.0;
            }
        }
        for (DenseLayout.Block b : layout.blocks) {
            Arrays.fill(dense, b.ln1Gamma, b.ln1Gamma + h, 1.0);
            Arrays.fill(dense, b.ln2Gamma, b.ln2Gamma + h, 1.0);
            double s = 1.0 / Math.sqrt(h);
            fill(rnd, b.wq, h * h, s);
            fill(rnd, b.wk, h * h, s);
            fill(rnd, b.wv, h * h, s);
            fill(rnd, b.wo, h * h, s);
            fill(rnd, b.w1, h * cfg.ffDim(), s);
            fill(rnd, b.w2, cfg.ffDim() * h, 1.0 / Math.sqrt(cfg.ffDim()));
        }
    }

    private void fill(SplittableRandom rnd, int off, int n, double std) {
        for (int i = 0; i < n; i++) {
            dense[off + i] = ItemTable.gaussian(rnd) * std;
        }
    }

    public ModelConfig config() {
        return cfg;
    }

    public ModelRuntime runtime() {
        return runtime;
    }

    /** Optimizer steps taken so far; the version stamped on emitted vectors. */
    public long version() {
        return steps;
    }

    /**
     * Makes this replica's negative samples its own: replicas that apply each other's steps are
     * often at the same version when they train, and would otherwise draw the same negatives for
     * their batches. 0 (the default) keeps a lone model's draws.
     */
    public void setSamplingSalt(long salt) {
        this.samplingSalt = salt;
    }

    /**
     * Moves the version up to at least {@code version}, e.g. to the newest a peer trainer had
     * published before a restore; never down.
     */
    public void advanceVersion(long version) {
        steps = Math.max(steps, version);
    }

    public int catalogueSize() {
        return items.size();
    }

    /** Plays of items left out because the catalogue was full. */
    public long rejectedItems() {
        return rejectedItems;
    }

    /**
     * Plays left out because their item had not reached {@link ModelRuntime#itemAdmissionPlays}.
     */
    public long heldBackPlays() {
        return heldBackPlays;
    }

    /**
     * Whether this replica evicted the id lately (within a quarter of the eviction time): a peer's
     * change of it without a play is then one the peer made before it evicted the row too.
     */
    boolean recentlyEvicted(String id) {
        return recentlyEvicted.containsKey(id);
    }

    /** Event time of the newest play learned from (ms; 0 before any with a time). */
    public long clock() {
        return clock;
    }

    public int rowOf(String itemId) {
        return items.rowOf(itemId);
    }

    public String itemId(int row) {
        return items.id(row);
    }

    /**
     * Rows whose serving vectors a caller asks for in one {@link #itemVectors} call when it needs
     * many (a full refresh): one product large enough to amortise its set-up, small enough to keep
     * its result in cache.
     */
    public static final int VECTOR_BLOCK = 4096;

    /**
     * The serving vectors of catalogue rows, rows.length x {@link ModelConfig#vectorDim()} floats
     * row by row: their table rows times the projection (split across the workers), then their
     * arrival rows.
     */
    public float[] itemVectors(int[] rows) {
        double[] iv = objective.servingItemVectors(rows, items.emb, dense);
        float[] out = new float[iv.length];
        for (int i = 0; i < iv.length; i++) {
            out[i] = (float) iv[i];
        }
        return out;
    }

    /** The serving vector of a catalogue row (length {@link ModelConfig#vectorDim()}). */
    public float[] itemVector(int row) {
        return itemVectors(new int[] {row});
    }

    /**
     * User vectors ({@link ModelConfig#vectorDim()} wide) for the histories of a batch; does not
     * learn. A row is null where no play of the history is in the catalogue.
     */
    public double[][] userVectors(List<Example> batch) {
        BatchPlan plan = plan(batch, false, null);
        double[][] out = new double[batch.size()][];
        if (plan.sequences() == 0) {
            return out;
        }
        double[] users = objective.users(plan, items.emb, dense);
        int h = cfg.vectorDim();
        for (int s = 0; s < plan.sequences(); s++) {
            out[plan.exampleIndex[s]] = Arrays.copyOfRange(users, s * h, (s + 1) * h);
        }
        return out;
    }

    /**
     * Exact top-n catalogue rows per user vector, best first, over the whole catalogue; an empty
     * array for a null user. Scores in float on the {@link ModelRuntime#catalogueProducts()}
     * kernel: item vectors are table rows times the projection, so a user's scores are its vector
     * times the projection's transpose (width E) against the table's rows, which change only where
     * training touches them; the successor part of both is scored as it is.
     */
    public int[][] topN(double[][] users, int n) {
        int v = items.size();
        CatalogueMatrix matrix = scoringMatrix();
        int width = matrix.width();
        int[] present = new int[users.length];
        int q = 0;
        for (int u = 0; u < users.length; u++) {
            if (users[u] != null && n > 0) {
                present[q++] = u;
            }
        }
        float[] queries = new float[q * width];
        for (int i = 0; i < q; i++) {
            queryOf(users[present[i]], queries, i * width);
        }
        int[][] found = new int[q][];
        if (scoringKernel == CatalogueProducts.JAVA && pool != null && q > 1) {
            // The Java kernel scores on the caller's thread: split the queries across the workers.
            int parts = Math.min(runtime.threads(), q);
            List<java.util.concurrent.Callable<int[][]>> tasks = new java.util.ArrayList<>();
            for (int p = 0; p < parts; p++) {
                int from = q * p / parts;
                int to = q * (p + 1) / parts;
                float[] slice = Arrays.copyOfRange(queries, from * width, to * width);
                tasks.add(() -> CatalogueSearch.topN(matrix, slice, to - from, v, n));
            }
            int at = 0;
            for (int[][] part : objective.runAll(tasks)) {
                System.arraycopy(part, 0, found, at, part.length);
                at += part.length;
            }
        } else {
            found = CatalogueSearch.topN(matrix, queries, q, v, n);
        }
        int[][] out = new int[users.length][];
        Arrays.fill(out, new int[0]);
        for (int i = 0; i < q; i++) {
            out[present[i]] = found[i];
        }
        return out;
    }

    /**
     * Why ranking runs on the Java kernel although the runtime asked for nd4j (its library did not
     * load); null when it runs on the kernel asked for, or has not ranked yet.
     */
    public String catalogueFallback() {
        return catalogueFallback;
    }

    /** The kernel the latest ranking ran on; null before the first. */
    public CatalogueProducts catalogueKernel() {
        return scoring == null ? null : scoringKernel;
    }

    /**
     * The scoring copy of the item table on the kernel for the catalogue's size, brought up to date
     * with the rows changed since; a new copy when the kernel changes (AUTO crossing its size).
     * nd4j runs with one BLAS thread: on a TaskManager shared with the rest of the pipeline, the
     * spin-waiting threads of a parallel BLAS cost more than they save (docs/RESULTS.md).
     */
    private CatalogueMatrix scoringMatrix() {
        CatalogueProducts kernel =
                catalogueFallback != null
                        ? CatalogueProducts.JAVA
                        : runtime.catalogueProducts().kernelFor(items.size());
        if (scoring != null && scoringKernel == kernel) {
            for (int r : items.drainUnscored()) {
                scoring.setRow(r, items.emb, r * cfg.rowWidth());
            }
            return scoring;
        }
        if (scoring != null) {
            scoring.close();
        }
        try {
            scoring = kernel.open(scoringWidth(), 1);
            scoringKernel = kernel;
        } catch (IllegalStateException | LinkageError e) {
            // nd4j's native library did not load (another OS, or loaded by another class
            // loader): rank on the Java kernel rather than fail every restart the same way.
            catalogueFallback =
                    e instanceof LinkageError
                            ? "catalogue-products=nd4j: nd4j is not on the classpath (" + e + ")"
                            : e.getMessage();
            scoring = CatalogueProducts.JAVA.open(scoringWidth(), 1);
            scoringKernel = CatalogueProducts.JAVA;
        }
        for (int r = 0; r < items.size(); r++) {
            scoring.setRow(r, items.emb, r * cfg.rowWidth());
        }
        items.drainUnscored();
        return scoring;
    }

    /** Columns of a table row that scoring reads: the item embedding and the arrival row. */
    private int scoringWidth() {
        return cfg.itemDim() + cfg.successorDim();
    }

    /**
     * A user vector (vectorDim) in the table's space: its first H times the projection's transpose
     * (E), then its successor part as it is.
     */
    private void queryOf(double[] user, float[] out, int off) {
        int h = cfg.hidden();
        int e = cfg.itemDim();
        if (!cfg.factorized()) {
            for (int j = 0; j < h; j++) {
                out[off + j] = (float) user[j];
            }
        } else {
            for (int p = 0; p < e; p++) {
                out[off + p] = (float) Blas.dot(user, 0, dense, layout.proj + p * h, h);
            }
        }
        for (int c = 0; c < cfg.successorDim(); c++) {
            out[off + e + c] = (float) user[h + c];
        }
    }

    /**
     * Learns from a fresh mini-batch as the stream delivers it: trains on it together with examples
     * replayed from earlier batches ({@link ModelConfig#replayPerBatch()}), then keeps it for
     * replay. The replay buffer is not part of the snapshot; after a restore it refills.
     */
    public TrainStats learn(List<Example> batch) {
        if (cfg.replayBuffer() == 0) {
            return train(batch);
        }
        if (replay == null) {
            replay = new ReplayBuffer(cfg.replayBuffer(), cfg.seed() ^ steps);
        }
        TrainStats stats = train(batch, replay.sample(cfg.replayPerBatch()));
        replay.addAll(batch);
        return stats;
    }

    /**
     * One bare training step on a batch, without replay: admits unseen items, updates sampler
     * counts, steps Adam. {@code bench} times this.
     */
    public TrainStats train(List<Example> batch) {
        return train(batch, List.of());
    }

    /**
     * Learns from a fresh batch together with replayed earlier examples. Only the fresh ones are
     * new to the catalogue and the sampler counts; the optimizer steps on both.
     */
    public TrainStats train(List<Example> batch, List<Example> replayed) {
        long start = System.nanoTime();
        SplittableRandom rnd =
                new SplittableRandom(
                        cfg.seed() * 0x9E3779B97F4A7C15L
                                + steps
                                + samplingSalt * 0xC2B2AE3D27D4EB4FL);
        int before = items.size();
        for (Example ex : batch) {
            clock = Math.max(clock, ex.targetTimeMillis());
        }
        for (Example ex : batch) {
            // Only a play (a target) counts toward admission and eviction: a history item was one
            // before, and peers learn of plays by their counts, not of the rows they read. So
            // history items get rows here only while every id is admitted at its first play.
            if (admission == null) {
                for (int i = Math.max(0, ex.historyLength() - cfg.windowLength());
                        i < ex.historyLength();
                        i++) {
                    admit(ex.historyItem(i));
                }
            }
            int row = admitPlayed(ex.targetItem());
            if (row >= 0) {
                items.played(row, clock);
                items.sampler.increment(row, 1);
                if (exchange != null) {
                    exchange.counted(row, 1);
                }
            }
        }
        List<Example> stepBatch = batch;
        if (!replayed.isEmpty()) {
            stepBatch = new java.util.ArrayList<>(batch.size() + replayed.size());
            stepBatch.addAll(batch);
            stepBatch.addAll(replayed);
        }
        Objective.Loss loss = null;
        // An empty catalogue (every id still awaiting admission) has nothing to learn or sample.
        for (int step = 0; step < cfg.stepsPerBatch() && items.size() > 0; step++) {
            int[] negatives = new int[cfg.negatives()];
            for (int k = 0; k < negatives.length; k++) {
                negatives[k] = items.sampler.sample(rnd);
            }
            BatchPlan plan = plan(stepBatch, true, negatives);
            Objective.Gradients g = new Objective.Gradients(layout.size);
            loss = objective.evaluate(plan, items.emb, dense, g);
            if (loss.positives() + loss.negatives() == 0) {
                break;
            }
            applyAdam(plan.rows, g);
        }
        return new TrainStats(
                loss == null ? Double.NaN : loss.positive(),
                loss == null ? Double.NaN : loss.negative(),
                loss == null ? 0 : loss.positives(),
                loss == null ? 0 : loss.negatives(),
                loss == null ? Double.NaN : loss.nextItemTerm(),
                items.size() - before,
                System.nanoTime() - start);
    }

    private int admit(String id) {
        int row = items.admit(id, clock);
        if (row < 0) {
            rejectedItems++;
        }
        return row;
    }

    /**
     * The row of a played item, admitting it at its {@link ModelRuntime#itemAdmissionPlays}-th
     * play.
     */
    private int admitPlayed(String id) {
        int row = items.rowOf(id);
        if (row >= 0) {
            return row;
        }
        if (admission != null && admission.add(id) < runtime.itemAdmissionPlays()) {
            heldBackPlays++;
            return -1;
        }
        return admit(id);
    }

    /**
     * Evicts the rows unplayed for {@link ModelRuntime#itemEvictionAfter} of the model's clock (by
     * this replica's plays and its peers' deltas), at most once per sixteenth of that time; returns
     * their ids. Row indexes held across this call are no longer valid. Replicas decide alone: a
     * row nobody played for that long sends no deltas, so all of them evict it within their clocks'
     * difference of each other.
     */
    public List<String> evictUnplayed() {
        long after = runtime.itemEvictionAfterMillis();
        if (after <= 0 || clock <= 0 || clock < nextSweep) {
            return List.of();
        }
        nextSweep = clock + Math.max(1, after / 16);
        long forgetBefore = clock - after / 4;
        recentlyEvicted.values().removeIf(at -> at < forgetBefore);
        int[] rows = items.unplayedBefore(clock - after, clock);
        List<String> evicted = new java.util.ArrayList<>(rows.length);
        for (int row : rows) { // highest first: a moved row is never one still to evict
            evicted.add(items.id(row));
            recentlyEvicted.put(items.id(row), clock);
            int moved = items.evict(row);
            if (exchange != null) {
                exchange.rowEvicted(row, moved);
            }
        }
        return evicted;
    }

    /**
     * Tokens per chunk of a batch: small enough that a chunk's activations (tokens x H doubles, a
     * dozen arrays per block) stay in a core's L2 from one operation to the next.
     */
    static final int CHUNK_TOKENS = 512;

    BatchPlan plan(List<Example> batch, boolean withTargets, int[] negatives) {
        return plan(batch, withTargets, negatives, CHUNK_TOKENS);
    }

    /** {@link #plan} with chunks of about {@code chunkTokens}; tests use tiny ones. */
    BatchPlan plan(List<Example> batch, boolean withTargets, int[] negatives, int chunkTokens) {
        if (localScratch.length < items.size()) {
            int old = localScratch.length;
            localScratch = Arrays.copyOf(localScratch, Math.max(items.size(), old * 2));
            Arrays.fill(localScratch, old, localScratch.length, -1);
        }
        BatchPlan.Builder b =
                BatchPlan.builder(cfg, items, localScratch)
                        .examples(batch, withTargets, runtime.threads(), chunkTokens);
        if (negatives != null) {
            b.negatives(negatives);
        }
        return b.build();
    }

    /** Adam on dense parameters; lazy Adam on the item rows the batch touched. */
    private void applyAdam(int[] rows, Objective.Gradients g) {
        steps++;
        if (exchange != null) {
            exchange.stepped();
            for (int row : rows) {
                exchange.beforeRowUpdate(row);
            }
        }
        double lr = adam.stepSize(cfg.learningRate(), steps);
        objective.forRanges(
                layout.size,
                (from, to) ->
                        adam.update(dense, denseM, denseV, from, g.dense, from, to - from, lr));
        double elr = adam.stepSize(cfg.embeddingLearningRate(), steps);
        int e = cfg.itemDim();
        int rw = cfg.rowWidth();
        double slr = cfg.successorLearningRate();
        objective.forRanges(
                rows.length,
                (from, to) -> {
                    for (int i = from; i < to; i++) {
                        int at = rows[i] * rw;
                        adam.update(
                                items.emb,
                                at,
                                items.m,
                                rows[i] * e,
                                items.v,
                                at,
                                g.rows,
                                i * rw,
                                e,
                                elr);
                        // Successor rows memorise what follows an item from its few plays:
                        // Adagrad's steps shrink only as that row's own gradients add up.
                        Adagrad.update(items.emb, items.v, at + e, g.rows, i * rw + e, rw - e, slr);
                    }
                });
        for (int row : rows) {
            items.markTouched(row);
        }
    }

    /**
     * Rows whose item-table entry changed since the last call, and clears the record. The
     * projection (E x H) moves every vector a little each step; a periodic full refresh covers that
     * drift.
     */
    public int[] drainTouchedRows() {
        return items.drainTouched();
    }

    /** Whole model state as shard records of at most about {@code maxShardBytes} payload each. */
    public List<ModelShard> snapshot(int maxShardBytes) {
        return ModelCodec.write(this, maxShardBytes);
    }

    /**
     * What trainer {@code writer} of {@code writers} checkpoints: the rows of the shards it owns
     * and, for trainer 0, the dense parameters. The shards of all writers restore one model.
     */
    public List<ModelShard> snapshot(
            int maxShardBytes, java.util.function.IntPredicate ownedRow, int writer, int writers) {
        return ModelCodec.write(this, maxShardBytes, ownedRow, writer, writers);
    }

    /**
     * Examples learned from whose target is in the catalogue: the sampler's count total less the 1
     * each row starts with. Replicas that apply each other's deltas exactly once agree on it.
     */
    public long examplesCounted() {
        return items.sampler.countTotal() - items.size();
    }

    /**
     * The learned-unigram count of a row (1 at admission, plus one per example it was target of).
     */
    public long samplerCount(int row) {
        return items.sampler.count(row);
    }

    /**
     * Restores a model from the shards of {@link #snapshot}, in any order, to run with {@code
     * runtime} (the snapshot holds the model's settings, not how it ran).
     */
    public static DeepMatchModel restore(List<ModelShard> shards, ModelRuntime runtime) {
        return ModelCodec.read(shards, runtime);
    }

    DenseLayout layout() {
        return layout;
    }

    Objective objective() {
        return objective;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (scoring != null) {
            scoring.close();
            scoring = null;
        }
    }
}
