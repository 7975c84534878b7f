package dev.deepmatch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each current schema stays compatible with every frozen version of it, as its role requires. */
class SchemaCompatibilityTest {

    static Stream<Arguments> frozenSchemas() {
        return SchemaFiles.frozenVersions().stream()
                .flatMap(
                        version ->
                                SchemaFiles.frozen(version).keySet().stream()
                                        .map(type -> Arguments.of(version, type)));
    }

    @ParameterizedTest(name = "{1} against frozen/{0}")
    @MethodSource("frozenSchemas")
    void currentSchemaIsCompatibleWithFrozenCopy(String version, String type) {
        Schema frozen = SchemaFiles.frozen(version).get(type);
        Schema current = SchemaFiles.current().get(type);
        assertThat(current)
                .as("%s exists in frozen/%s but was removed from src/main/avro", type, version)
                .isNotNull();

        List<String> problems = SchemaRole.of(type).incompatibilities(frozen, current);

        assertThat(problems)
                .as(
                        "%s (%s) broke compatibility with frozen/%s",
                        type, SchemaRole.of(type), version)
                .isEmpty();
    }

    @Test
    void latestFrozenVersionHoldsEverySchema() {
        List<String> versions = SchemaFiles.frozenVersions();
        String latest = versions.get(versions.size() - 1);
        Set<String> current = new TreeSet<>(SchemaFiles.current().keySet());
        Set<String> frozen = new TreeSet<>(SchemaFiles.frozen(latest).keySet());

        assertThat(frozen)
                .as(
                        "frozen/%s must hold a copy of every schema; freeze new ones in a new"
                                + " frozen/vN (see state-schemas/README.md)",
                        latest)
                .isEqualTo(current);
    }

    @Test
    void everySchemaHasARole() {
        for (Map.Entry<String, Schema> e : SchemaFiles.current().entrySet()) {
            SchemaRole.of(e.getKey()); // throws, naming the schema, when the role is missing
        }
    }
}
