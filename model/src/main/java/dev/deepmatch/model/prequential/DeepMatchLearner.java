package dev.deepmatch.model.prequential;

import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.TrainStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The DeepMatch model as a prequential learner: rank with the current model, then learn. */
public final class DeepMatchLearner implements PrequentialLearner, AutoCloseable {
    private final String name;
    private final DeepMatchModel model;
    private TrainStats last;
    private List<String> lastEvicted = List.of();

    public DeepMatchLearner(DeepMatchModel model) {
        this("model", model);
    }

    /**
     * @param name how replays and charts call this learner, e.g. a sweep point
     */
    public DeepMatchLearner(String name, DeepMatchModel model) {
        this.name = name;
        this.model = model;
    }

    public DeepMatchModel model() {
        return model;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        int[][] top = model.topN(model.userVectors(batch), maxN);
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            ranks[i] = indexOf(top[i], model.rowOf(batch.get(i).targetItem()));
        }
        return ranks;
    }

    private static int indexOf(int[] rows, int row) {
        if (row < 0) {
            return -1;
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == row) {
                return i;
            }
        }
        return -1;
    }

    /** Learns from the batch, then evicts the rows its clock says went unplayed too long. */
    @Override
    public void learn(List<Example> batch) {
        last = model.learn(batch);
        lastEvicted = model.evictUnplayed();
    }

    /**
     * Ids the last {@link #learn} evicted from the catalogue (row indexes taken before it are no
     * longer valid when this is not empty).
     */
    public List<String> lastEvicted() {
        return lastEvicted;
    }

    /** What the last {@link #learn} call did; null before the first. */
    public TrainStats lastTrainStats() {
        return last;
    }

    @Override
    public Map<String, Double> lastLearnStats() {
        if (last == null) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("positiveLoss", last.positiveLoss());
        m.put("negativeLoss", last.negativeLoss());
        m.put("stepMillis", last.stepNanos() / 1e6);
        m.put("catalogue", (double) model.catalogueSize());
        return m;
    }

    @Override
    public void close() {
        model.close();
    }
}
