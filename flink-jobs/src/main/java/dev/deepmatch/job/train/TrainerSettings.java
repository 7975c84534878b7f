package dev.deepmatch.job.train;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelRuntime;
import dev.deepmatch.model.prequential.QualityGate;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the trainer needs of the job's settings (names in {@code JobSettings}, {@code
 * PrequentialSettings} and {@code ModelSettings}).
 *
 * @param model the settings of a model started afresh; a restored model keeps its own
 * @param batchSize examples per mini-batch
 * @param batchMaxDelay a smaller batch is trained once its first example waited this long
 * @param emissionInterval how often changed item vectors are published
 * @param fullRefreshInterval how often the whole catalogue is published
 * @param fullRefreshOnStart publish the whole catalogue right after a restore
 * @param trainingEnabled false: only count examples; a restored model is kept as it is
 * @param rankedShare share of batches ranked prequentially before they are learned
 * @param metricsWindow positives and negatives each in the recent POS@N / NEG@N gauges
 * @param modelShardBytes payload size of one model shard in operator state
 * @param userVectorInterval how often the user vectors of listeners who played are published
 * @param gate the quality gate's thresholds; null: publication is never held
 * @param versionFloor the least version of the model, restored or new (a rollback's)
 */
public record TrainerSettings(
        ModelConfig model,
        ModelRuntime runtime,
        int batchSize,
        Duration batchMaxDelay,
        Duration emissionInterval,
        Duration fullRefreshInterval,
        boolean fullRefreshOnStart,
        boolean trainingEnabled,
        double rankedShare,
        int metricsWindow,
        int modelShardBytes,
        Duration userVectorInterval,
        QualityGate.Rule gate,
        long versionFloor)
        implements Serializable {}
