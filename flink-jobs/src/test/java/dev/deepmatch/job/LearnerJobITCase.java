package dev.deepmatch.job;

import static dev.deepmatch.job.Plays.decoded;
import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.source.DecodedPlay;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.UserVector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole job graph on a MiniCluster with a bounded source and collecting sinks. */
class LearnerJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int USERS = 6;
    private static final int PLAYS_PER_USER = 10;
    private static final long BASE_TIME = 1_700_000_000_000L;

    /**
     * Record i: for i < USERS * PLAYS_PER_USER, play (i % 10) of user (i / 10); then three bad
     * records. The source splits indexes into contiguous ranges, so each user's plays stay in order
     * within one source subtask.
     */
    static DecodedPlay record(long i) {
        int good = USERS * PLAYS_PER_USER;
        if (i < good) {
            int user = (int) i / PLAYS_PER_USER;
            int k = (int) i % PLAYS_PER_USER;
            String item = "t" + ((user + k) % 8);
            double rate = k % 3 == 0 ? 0.1 : 0.9;
            return decoded(i, play("e" + i, "u" + user, item, BASE_TIME + k * 1_000L, rate));
        }
        if (i == good) {
            return decoded(i, new byte[] {1, 2, 3});
        }
        if (i == good + 1) {
            return decoded(i, play("bad-rate", "u0", "t1", BASE_TIME, 2.0));
        }
        return decoded(i, play("no-user", "", "t1", BASE_TIME));
    }

    @Test
    void learnsFromTheStreamAndDeadLettersBadRecords() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config =
                JobConfig.fromArgs(
                        new String[] {
                            "--parallelism", "2",
                            "--checkpoint-interval", "200 ms",
                            "--window-length", "5",
                            "--factor-dim", "4",
                            "--hidden", "8",
                            "--successor-dim", "4",
                            "--blocks", "1",
                            "--ff-dim", "16",
                            "--negatives", "5",
                            "--catalogue-capacity", "100",
                            "--threads", "1",
                            "--batch-size", "8",
                            "--batch-max-delay", "1 h"
                        });
        LearnerJob.configureEnvironment(env, config);
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();

        long count = USERS * PLAYS_PER_USER + 3;
        DataGeneratorSource<DecodedPlay> source =
                new DataGeneratorSource<>(
                        LearnerJobITCase::record, count, TypeInformation.of(DecodedPlay.class));
        CollectingSink<ItemVector> vectors = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
        // One trainer, so no deltas: a bounded exchange source lets the job finish. Its one record
        // is an empty delta of a trainer that no longer runs, which changes nothing.
        DataGeneratorSource<ModelDelta> noDeltas =
                new DataGeneratorSource<>(
                        i -> emptyDelta(), 1, new AvroTypeInfo<>(ModelDelta.class));
        CollectingSink<UserVector> users = new CollectingSink<>();
        LearnerJob.defineWorkflow(
                env, config, source, vectors, users, deadLetters, noDeltas, new CollectingSink<>());
        env.execute("learner-test");

        assertThat(deadLetters.values())
                .extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder("UNDECODABLE", "RATE_OUT_OF_RANGE", "EMPTY_USER_ID");
        assertThat(deadLetters.values())
                .extracting(DeadLetter::getSourceOffset)
                .containsExactlyInAnyOrder(count - 3, count - 2, count - 1);

        // 6 users x 9 examples = 54 examples in batches of 8: 7 steps, the last at end of input.
        List<ItemVector> out = vectors.values();
        assertThat(out).isNotEmpty();
        assertThat(out.stream().mapToLong(ItemVector::getModelVersion).max().getAsLong())
                .isEqualTo(7);
        assertThat(out)
                .allSatisfy(
                        v -> {
                            assertThat(v.getItemId()).matches("t[0-7]");
                            assertThat(v.getVector()).hasSize(8 + 4); // hidden + successor-dim
                        });

        // Every listener's newest user vector encodes their last play (k = 9: a skip).
        Map<String, UserVector> newest = new HashMap<>();
        for (UserVector u : users.values()) {
            newest.merge(
                    u.getUserId(), u, (a, b) -> a.getModelVersion() >= b.getModelVersion() ? a : b);
        }
        assertThat(newest).hasSize(USERS);
        for (int u = 0; u < USERS; u++) {
            UserVector v = newest.get("u" + u);
            assertThat(v.getVector()).hasSize(8 + 4);
            assertThat(v.getModelVersion()).isEqualTo(7);
            assertThat(v.getRecentItems()).last().isEqualTo("t" + ((u + 9) % 8));
            assertThat(v.getRecentRates()).last().isEqualTo(0.1f);
            assertThat(v.getLastPlayMillis().toEpochMilli()).isEqualTo(BASE_TIME + 9_000L);
        }
    }

    private static ModelDelta emptyDelta() {
        return ModelDelta.newBuilder()
                .setSender(0)
                .setSenders(1)
                .setAttempt(0)
                .setSeq(0)
                .setLineage(0)
                .setSentAtMillis(0)
                .setPart(0)
                .setParts(1)
                .setSteps(0)
                .setDense(java.nio.ByteBuffer.allocate(0))
                .setRows(List.of())
                .build();
    }

    @Test
    void theSourcesTypeIsAFlinkPojoWithAvroFieldsNotKryo() {
        TypeInformation<DecodedPlay> type = TypeInformation.of(DecodedPlay.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<DecodedPlay> pojo = (PojoTypeInfo<DecodedPlay>) type;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getPojoFieldAt(i).getTypeInformation())
                    .isInstanceOf(AvroTypeInfo.class);
        }
    }
}
