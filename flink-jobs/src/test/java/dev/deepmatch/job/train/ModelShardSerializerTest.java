package dev.deepmatch.job.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.schema.ShardKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.runtime.state.ArrayListSerializer;
import org.junit.jupiter.api.Test;

class ModelShardSerializerTest {

    private static ModelShard shard() {
        return ModelShard.newBuilder()
                .setCodecVersion(7)
                .setModelVersion(42)
                .setKind(ShardKind.ITEMS)
                .setPart(0)
                .setParts(1)
                .setFirstRow(0)
                .setRowCount(1)
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
    }

    /** Flink's synchronous snapshot copies the state list with this; now without the shards. */
    @Test
    void theSynchronousCopyOfTheListKeepsTheShardsThemselves() {
        List<ModelShard> shards = new ArrayList<>(List.of(shard(), shard()));
        ArrayList<ModelShard> copy =
                new ArrayListSerializer<>(new ModelShardSerializer()).copy(new ArrayList<>(shards));
        assertThat(copy.get(0)).isSameAs(shards.get(0));
        assertThat(copy.get(1)).isSameAs(shards.get(1));
    }

    @Test
    void writesAvrosBytesAndRestoresCheckpointsOfThePlainAvroSerializer() throws Exception {
        AvroSerializer<ModelShard> avro = new AvroSerializer<>(ModelShard.class);
        ModelShardSerializer ours = new ModelShardSerializer();
        DataOutputSerializer a = new DataOutputSerializer(256);
        DataOutputSerializer b = new DataOutputSerializer(256);
        avro.serialize(shard(), a);
        ours.serialize(shard(), b);
        assertThat(b.getCopyOfBuffer()).containsExactly(a.getCopyOfBuffer());
        assertThat(ours.deserialize(new DataInputDeserializer(a.getCopyOfBuffer())))
                .isEqualTo(shard());

        TypeSerializerSchemaCompatibility<ModelShard> fromAvro =
                ours.snapshotConfiguration()
                        .resolveSchemaCompatibility(avro.snapshotConfiguration());
        assertThat(fromAvro.isCompatibleAsIs()).isTrue();

        // Its own snapshot, written and read back as a checkpoint holds it.
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, ours.snapshotConfiguration());
        TypeSerializerSnapshot<ModelShard> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(ours.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
                .isTrue();
        assertThat(read.restoreSerializer()).isEqualTo(ours);
    }
}
