package dev.deepmatch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/**
 * The compatibility check used by {@link SchemaCompatibilityTest} does catch breaking changes: each
 * case edits a current schema the way a careless change would and expects a report.
 */
class SchemaEvolutionRulesTest {

    private static Schema current(String type) {
        return SchemaFiles.current().get(type);
    }

    @Test
    void removingAFieldWithoutDefaultFromAWireTypeIsDetected() {
        Schema event = current("PlaybackEvent");
        String required = fieldWithoutDefault(event);
        Schema changed = edit(event, fields -> remove(fields, required));

        List<String> problems = SchemaRole.WIRE.incompatibilities(event, changed);

        assertThat(problems).as("%s", problems.toString()).hasSize(1);
        assertThat(problems.get(0))
                .as("%s", problems.toString())
                .startsWith("old reader / new writer");
        assertThat(problems.get(0)).as("%s", problems.toString()).contains(required);
    }

    @Test
    void addingAFieldWithoutDefaultToStateIsDetected() {
        Schema shard = current("ModelShard");
        Schema changed =
                edit(
                        shard,
                        fields -> {
                            fields.add(
                                    new Schema.Field("checksum", Schema.create(Schema.Type.LONG)));
                            return fields;
                        });

        List<String> problems = SchemaRole.STATE.incompatibilities(shard, changed);

        assertThat(problems).as("%s", problems.toString()).hasSize(1);
        assertThat(problems.get(0))
                .as("%s", problems.toString())
                .startsWith("new reader / old writer");
        assertThat(problems.get(0)).as("%s", problems.toString()).contains("checksum");
    }

    @Test
    void changingAFieldTypeIsDetected() {
        Schema vector = current("ItemVector");
        Schema changed =
                edit(
                        vector,
                        fields ->
                                replace(fields, "modelVersion", Schema.create(Schema.Type.STRING)));

        assertThat(SchemaRole.WIRE.incompatibilities(vector, changed)).hasSize(2);
    }

    @Test
    void droppingAnEnumDefaultWhileRemovingASymbolIsDetected() {
        Schema intent = current("IntentType");
        List<String> fewer = new ArrayList<>(intent.getEnumSymbols());
        fewer.remove("OTHER");
        Schema changed = Schema.createEnum(intent.getName(), null, intent.getNamespace(), fewer);

        List<String> problems = SchemaRole.WIRE.incompatibilities(intent, changed);

        assertThat(problems).as("%s", problems.toString()).hasSize(1);
        assertThat(problems.get(0)).as("%s", problems.toString()).contains("MISSING_ENUM_SYMBOLS");
    }

    @Test
    void addingAFieldWithDefaultIsAllowedBothWays() {
        Schema event = current("PlaybackEvent");
        Schema changed =
                edit(
                        event,
                        fields -> {
                            fields.add(
                                    new Schema.Field(
                                            "country",
                                            SchemaBuilder.unionOf()
                                                    .nullType()
                                                    .and()
                                                    .stringType()
                                                    .endUnion(),
                                            null,
                                            Schema.Field.NULL_DEFAULT_VALUE));
                            return fields;
                        });

        assertThat(SchemaRole.WIRE.incompatibilities(event, changed)).isEmpty();
    }

    @Test
    void stateMayDropAFieldThatOnlyOldReadersWouldNeed() {
        Schema shard = current("ModelShard");
        Schema changed = edit(shard, fields -> remove(fields, fieldWithoutDefault(shard)));

        assertThat(SchemaRole.STATE.incompatibilities(shard, changed)).isEmpty();
        assertThat(SchemaRole.WIRE.incompatibilities(shard, changed)).hasSize(1);
    }

    @Test
    void schemaWithoutRoleIsRejected() {
        assertThatThrownBy(() -> SchemaRole.of("Unlisted"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Unlisted");
    }

    private static Schema edit(Schema record, UnaryOperator<List<Schema.Field>> change) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(new Schema.Field(f, f.schema())); // a Field belongs to one record only
        }
        return Schema.createRecord(
                record.getName(),
                record.getDoc(),
                record.getNamespace(),
                false,
                change.apply(fields));
    }

    private static String fieldWithoutDefault(Schema record) {
        return record.getFields().stream()
                .filter(f -> !f.hasDefaultValue())
                .map(Schema.Field::name)
                .findFirst()
                .orElseThrow(() -> new AssertionError(record.getName() + " has no required field"));
    }

    private static List<Schema.Field> remove(List<Schema.Field> fields, String name) {
        assertThat(fields.removeIf(f -> f.name().equals(name))).as("no field %s", name).isTrue();
        return fields;
    }

    private static List<Schema.Field> replace(List<Schema.Field> fields, String name, Schema type) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                fields.set(i, new Schema.Field(name, type));
                return fields;
            }
        }
        throw new AssertionError("no field " + name);
    }
}
