package dev.deepmatch.recall.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Approximate nearest neighbours of item vectors by inner product, on Lucene's HNSW graphs. The
 * model scores a user and an item by their raw dot product and its vectors are not of unit length.
 * Graphs built on the inner product itself ({@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT})
 * lose recall as the catalogue grows (0.82 of the exact top 50 at 1,000,000 items; longer norms
 * crowd the neighbour lists), so the index reduces the inner product to a Euclidean distance: items
 * are kept in norm bands (band b holds norms in (2^(b-1), 2^b], its bound is 2^b), each band a
 * graph of its own in which an item x is stored as (x, sqrt(bound^2 - |x|^2)) and the query q is
 * asked as (q, 0). Then |(q, 0) - x'|^2 = |q|^2 + bound^2 - 2 q.x: within a band the nearest items
 * are exactly those of the highest dot product, and no band needs a bound known in advance. A query
 * asks the bands from the longest norms down and stops at a band whose bound times |q| cannot beat
 * the k-th best score found (Cauchy-Schwarz).
 *
 * <p>Each item carries the model version of its vector: an older or equal one is refused unless
 * forced (a full refresh). A copy of every vector stays on the heap, for exact scores and the exact
 * search that checks the approximate one.
 *
 * <p>Thread-safe: one writer (the feed) and any number of searchers. Writes become visible at the
 * next {@link #refresh()} (Lucene's near-real-time reader), which the caller schedules.
 */
public final class VectorIndex implements AutoCloseable {

    /**
     * @param maxConn neighbours per node in the graph (Lucene's M)
     * @param beamWidth candidates kept while inserting (efConstruction)
     * @param candidates nodes a query keeps while searching (ef), at least the k asked
     */
    public record Options(int maxConn, int beamWidth, int candidates) {
        public static final Options DEFAULTS = new Options(16, 100, 400);

        public Options {
            if (maxConn < 2 || beamWidth < 1 || candidates < 1) {
                throw new IllegalArgumentException("bad HNSW options " + this);
            }
        }
    }

    /** An item and its dot product with the query. */
    public record Hit(String itemId, float score) {}

    private static final String ID = "id";

    /** Norms at or below 2^LOWEST_BAND share the lowest band; above 2^HIGHEST_BAND the highest. */
    private static final int LOWEST_BAND = -30;

    private static final int HIGHEST_BAND = 60;

    private final int dimension;
    private final Options options;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final Map<String, float[]> vectors = new ConcurrentHashMap<>();
    private final AtomicLong maxVersion = new AtomicLong(-1);
    private final Set<Integer> bands = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
    private final ExecutorService mergeThreads;

    public VectorIndex(int dimension, Path directoryOrNull) {
        this(dimension, directoryOrNull, Options.DEFAULTS);
    }

    /** A new, empty index (any index already in the folder is replaced). */
    public VectorIndex(int dimension, Path directoryOrNull, Options options) {
        if (dimension < 1 || dimension > 1024) {
            throw new IllegalArgumentException(
                    "vectors of " + dimension + " values: Lucene indexes 1 to 1024");
        }
        this.dimension = dimension;
        this.options = options;
        // Merges build their graphs on two threads (a rebuild from the topics is mostly merging).
        mergeThreads =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "recall-index-merge");
                            t.setDaemon(true);
                            return t;
                        });
        KnnVectorsFormat format =
                new Lucene99HnswVectorsFormat(
                        options.maxConn(), options.beamWidth(), 2, mergeThreads);
        IndexWriterConfig config =
                new IndexWriterConfig()
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                        // fewer, larger segments: each merge re-inserts vectors into a graph
                        .setRAMBufferSizeMB(1024)
                        .setCodec(
                                new Lucene912Codec() {
                                    @Override
                                    public KnnVectorsFormat getKnnVectorsFormatForField(
                                            String field) {
                                        return format;
                                    }
                                });
        try {
            this.directory =
                    directoryOrNull == null
                            ? new ByteBuffersDirectory()
                            : FSDirectory.open(directoryOrNull);
            this.writer = new IndexWriter(directory, config);
            this.searchers = new SearcherManager(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the index in " + directoryOrNull, e);
        }
    }

    public int dimension() {
        return dimension;
    }

    /**
     * Applies a vector if {@code force} or its version is newer than the one held.
     *
     * @return whether it was applied
     * @throws IllegalArgumentException for a vector of another width or with a non-finite value
     */
    public boolean put(String itemId, float[] vector, long version, boolean force) {
        if (vector.length != dimension) {
            throw new IllegalArgumentException(
                    "item "
                            + itemId
                            + ": vector of "
                            + vector.length
                            + " values, the index holds "
                            + dimension);
        }
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("item " + itemId + ": vector holds " + x);
            }
        }
        Long held = versions.get(itemId);
        if (held != null && !force && version <= held) {
            return false;
        }
        double norm = Math.sqrt(dot(vector, vector));
        int band = band(norm);
        float[] stored = Arrays.copyOf(vector, dimension + 1);
        double bound = Math.scalb(1.0, band);
        stored[dimension] = (float) Math.sqrt(Math.max(0, bound * bound - norm * norm));
        Document doc = new Document();
        doc.add(new StringField(ID, itemId, Field.Store.YES));
        doc.add(new KnnFloatVectorField(field(band), stored, VectorSimilarityFunction.EUCLIDEAN));
        try {
            writer.updateDocument(new Term(ID, itemId), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bands.add(band);
        versions.put(itemId, version);
        vectors.put(itemId, vector.clone());
        maxVersion.accumulateAndGet(version, Math::max);
        return true;
    }

    /** Removes an item (a tombstone); returns whether it was held. */
    public boolean delete(String itemId) {
        if (versions.remove(itemId) == null) {
            return false;
        }
        vectors.remove(itemId);
        try {
            writer.deleteDocuments(new Term(ID, itemId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /** Makes the writes so far visible to searches. */
    public void refresh() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The k items of highest dot product with {@code query}, best first, none of {@code exclude}.
     * Each band's graph is asked for k plus the excluded count, then the excluded are dropped:
     * cheaper than a filter, which Lucene turns into a bit set over every document of each segment
     * per query. Scores are the exact dot products of the held vectors.
     */
    public List<Hit> search(float[] query, int k, Set<String> exclude) {
        return search(query, k, exclude, options.candidates());
    }

    /** {@link #search} keeping {@code candidates} nodes while searching (ef), for benchmarks. */
    public List<Hit> search(float[] query, int k, Set<String> exclude, int candidates) {
        if (query.length != dimension) {
            throw new IllegalArgumentException(
                    "query of " + query.length + " values, the index holds " + dimension);
        }
        int ask = Math.max(k + exclude.size(), candidates);
        double queryNorm = Math.sqrt(dot(query, query));
        float[] asked = Arrays.copyOf(query, dimension + 1);
        PriorityQueue<Hit> best = new PriorityQueue<>(HIT_ORDER);
        IndexSearcher searcher;
        try {
            searcher = searchers.acquire();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            StoredFields stored = searcher.storedFields();
            for (int band : bands) {
                if (best.size() == k
                        && band < HIGHEST_BAND
                        && queryNorm * Math.scalb(1.0, band) < best.peek().score()) {
                    break; // no item of this band or a lower one can enter the top k
                }
                TopDocs top =
                        searcher.search(new KnnFloatVectorQuery(field(band), asked, ask), ask);
                // Nearest first is highest dot product first within a band: once one cannot
                // enter the top k, none after it can.
                for (ScoreDoc d : top.scoreDocs) {
                    String id = stored.document(d.doc).get(ID);
                    float[] v = exclude.contains(id) ? null : vectors.get(id);
                    if (v == null) { // excluded, or deleted since the reader opened
                        continue;
                    }
                    Hit h = new Hit(id, dot(query, v));
                    if (best.size() == k && HIT_ORDER.compare(h, best.peek()) <= 0) {
                        break;
                    }
                    offer(best, h, k);
                }
            }
            return sorted(best);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                searchers.release(searcher);
            } catch (IOException e) {
                // releasing a reader of a closed index
            }
        }
    }

    /** The band of a norm: the least b with norm <= 2^b, within the lowest and highest band. */
    static int band(double norm) {
        if (!(norm > Math.scalb(1.0, LOWEST_BAND))) {
            return LOWEST_BAND;
        }
        int b = Math.getExponent(norm);
        if (Math.scalb(1.0, b) < norm) {
            b++; // not a power of two: the next one up bounds it
        }
        return Math.min(b, HIGHEST_BAND);
    }

    private static String field(int band) {
        return "v" + band;
    }

    /** Exact top k by brute force over every held vector (the approximate search's reference). */
    public List<Hit> exact(float[] query, int k, Set<String> exclude) {
        PriorityQueue<Hit> best = new PriorityQueue<>(HIT_ORDER);
        vectors.forEach(
                (id, v) -> {
                    if (!exclude.contains(id)) {
                        offer(best, new Hit(id, dot(query, v)), k);
                    }
                });
        return sorted(best);
    }

    /** Worst first, so the heap's head is the one to drop. */
    private static final java.util.Comparator<Hit> HIT_ORDER =
            java.util.Comparator.comparingDouble(Hit::score)
                    .thenComparing(Hit::itemId, java.util.Comparator.reverseOrder());

    private static void offer(PriorityQueue<Hit> best, Hit h, int k) {
        if (best.size() < k) {
            best.add(h);
        } else if (HIT_ORDER.compare(h, best.peek()) > 0) {
            best.poll();
            best.add(h);
        }
    }

    private static List<Hit> sorted(PriorityQueue<Hit> best) {
        List<Hit> out = new ArrayList<>(best);
        out.sort(HIT_ORDER.reversed());
        return out;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public int size() {
        return versions.size();
    }

    /** The newest model version among the vectors applied; -1 before any. */
    public long maxVersion() {
        return maxVersion.get();
    }

    /** The version held for an item, -1 if absent. */
    public long version(String itemId) {
        return versions.getOrDefault(itemId, -1L);
    }

    /** A copy of the vector held for an item, null if absent. */
    public float[] vector(String itemId) {
        float[] v = vectors.get(itemId);
        return v == null ? null : v.clone();
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
        mergeThreads.shutdownNow();
    }
}
