package dev.deepmatch.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/** What a schema is used for decides which way it must stay compatible with its frozen versions. */
enum SchemaRole {
    /**
     * Kafka records: a new job reads old records still on the topic, and old consumers (a job not
     * yet upgraded, index builders) read records written by new producers. Both directions.
     */
    WIRE(true),
    /** Flink state: only the new job reads state an older job wrote. */
    STATE(false);

    /** Every schema file must be listed here; a new file without a role fails the tests. */
    private static final Map<String, SchemaRole> ROLES =
            Map.ofEntries(
                    Map.entry("PlaybackEvent", WIRE),
                    Map.entry("IntentType", WIRE),
                    Map.entry("ItemVector", WIRE),
                    Map.entry("UserVector", WIRE),
                    Map.entry("DeadLetter", WIRE),
                    Map.entry("UserWindow", STATE),
                    Map.entry("WindowPlay", STATE),
                    Map.entry("TrainingExample", STATE),
                    Map.entry("ModelShard", STATE),
                    Map.entry("CounterTotal", STATE),
                    Map.entry("ExchangeMark", STATE),
                    // The trainers' exchange topic: only the job itself reads it, as it reads
                    // state.
                    Map.entry("ModelDelta", STATE));

    private final boolean oldReadersReadNewData;

    SchemaRole(boolean oldReadersReadNewData) {
        this.oldReadersReadNewData = oldReadersReadNewData;
    }

    static SchemaRole of(String type) {
        SchemaRole role = ROLES.get(type);
        if (role == null) {
            throw new IllegalStateException(
                    "no role declared for schema " + type + ": add it to SchemaRole.ROLES");
        }
        return role;
    }

    /** Returns the incompatibilities of {@code current} against {@code frozen}; empty if none. */
    List<String> incompatibilities(Schema frozen, Schema current) {
        List<String> problems = new ArrayList<>();
        // New code reads data written with the frozen schema.
        describe(
                "new reader / old writer",
                SchemaCompatibility.checkReaderWriterCompatibility(current, frozen),
                problems);
        if (oldReadersReadNewData) {
            describe(
                    "old reader / new writer",
                    SchemaCompatibility.checkReaderWriterCompatibility(frozen, current),
                    problems);
        }
        return problems;
    }

    private static void describe(
            String direction,
            SchemaCompatibility.SchemaPairCompatibility result,
            List<String> problems) {
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            problems.add(
                    direction
                            + ": "
                            + i.getType()
                            + " at "
                            + i.getLocation()
                            + " ("
                            + i.getMessage()
                            + ")");
        }
    }
}
