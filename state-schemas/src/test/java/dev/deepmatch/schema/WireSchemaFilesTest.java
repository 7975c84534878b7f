package dev.deepmatch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.wire.WireCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParser;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code schemas/} folder, which clients of other languages read and the jar
 * ships, is what the codecs write and read: {@code <Type>.avsc} is the current schema, {@code
 * older/<Type>-vN.avsc} every distinct older schema of a released (frozen) version, each
 * self-contained (no reference to a type defined elsewhere). {@code -Dschemas.update=true} rewrites
 * the folder from the declarations.
 */
class WireSchemaFilesTest {

    private static final Path DIR = Path.of("../schemas");
    private static final boolean UPDATE = Boolean.getBoolean("schemas.update");

    private static final Map<String, WireCodec<?>> CODECS = new LinkedHashMap<>();

    static {
        CODECS.put("PlaybackEvent", WireCodec.PLAYBACK_EVENT);
        CODECS.put("ItemVector", WireCodec.ITEM_VECTOR);
        CODECS.put("UserVector", WireCodec.USER_VECTOR);
        CODECS.put("DeadLetter", WireCodec.DEAD_LETTER);
    }

    /**
     * From src/main/avro rather than the generated classes, whose schemas carry Java-only
     * properties ({@code avro.java.string}) that some libraries fold into the canonical form.
     */
    @Test
    void theCurrentSchemaFilesAreTheCodecsSchemasSelfContained() throws IOException {
        Map<String, Schema> sources = SchemaFiles.current();
        for (Map.Entry<String, WireCodec<?>> e : CODECS.entrySet()) {
            Path file = DIR.resolve(e.getKey() + ".avsc");
            String expected = sources.get(e.getKey()).toString(true) + "\n";
            if (UPDATE) {
                Files.writeString(file, expected);
            }
            assertThat(file).as("run with -Dschemas.update=true to write it").exists();
            assertThat(Files.readString(file))
                    .as("%s differs from src/main/avro", file)
                    .isEqualTo(expected);
            Schema shipped = parseAlone(file);
            assertThat(SchemaNormalization.parsingFingerprint64(shipped))
                    .isEqualTo(e.getValue().fingerprint());
            assertThat(shipped.toString()).doesNotContain("avro.java");
        }
    }

    @Test
    void everyReleasedWriterSchemaIsShippedAndRead() throws IOException {
        Map<String, Schema> expectedFiles = new LinkedHashMap<>();
        for (String version : SchemaFiles.frozenVersions()) {
            Map<String, Schema> frozen = SchemaFiles.frozen(version);
            for (Map.Entry<String, WireCodec<?>> e : CODECS.entrySet()) {
                Schema old = frozen.get(e.getKey());
                if (old == null) {
                    continue; // a type newer than that release
                }
                long f = SchemaNormalization.parsingFingerprint64(old);
                boolean known =
                        f == e.getValue().fingerprint()
                                || expectedFiles.values().stream()
                                        .anyMatch(
                                                s ->
                                                        SchemaNormalization.parsingFingerprint64(s)
                                                                == f);
                if (!known) {
                    expectedFiles.put(e.getKey() + "-" + version + ".avsc", old);
                }
            }
        }
        Path older = DIR.resolve("older");
        if (UPDATE) {
            Files.createDirectories(older);
            for (Map.Entry<String, Schema> e : expectedFiles.entrySet()) {
                Files.writeString(older.resolve(e.getKey()), e.getValue().toString(true) + "\n");
            }
        }
        TreeSet<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(older)) {
            files.forEach(p -> present.add(p.getFileName().toString()));
        }
        assertThat(present)
                .as("older/ holds exactly one file per distinct released schema")
                .isEqualTo(new TreeSet<>(expectedFiles.keySet()));
        for (Map.Entry<String, Schema> e : expectedFiles.entrySet()) {
            String type = e.getKey().substring(0, e.getKey().indexOf('-'));
            Schema shipped = parseAlone(older.resolve(e.getKey()));
            long f = SchemaNormalization.parsingFingerprint64(shipped);
            assertThat(f)
                    .as("%s is not the frozen schema", e.getKey())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(e.getValue()));
            assertThat(CODECS.get(type).writerSchemas())
                    .as("WireCodec of %s does not read %s", type, e.getKey())
                    .containsKey(f);
        }
    }

    /** The fingerprint table of schemas/README.md is that of the files. */
    @Test
    void theReadmeGivesEveryFilesFingerprint() throws IOException {
        StringBuilder table = new StringBuilder();
        for (String name : CODECS.keySet()) {
            table.append(row(name + ".avsc"));
        }
        try (Stream<Path> files = Files.list(DIR.resolve("older"))) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                table.append(row("older/" + f.getFileName()));
            }
        }
        Path readme = DIR.resolve("README.md");
        String text = Files.readString(readme);
        String begin = "<!-- fingerprints:begin -->\n";
        String end = "<!-- fingerprints:end -->";
        int from = text.indexOf(begin) + begin.length();
        int to = text.indexOf(end);
        if (UPDATE) {
            text = text.substring(0, from) + table + text.substring(to);
            Files.writeString(readme, text);
            to = text.indexOf(end);
        }
        assertThat(text.substring(from, to))
                .as("fingerprints in %s (-Dschemas.update=true rewrites them)", readme)
                .isEqualTo(table.toString());
    }

    private static String row(String file) throws IOException {
        long f = SchemaNormalization.parsingFingerprint64(parseAlone(DIR.resolve(file)));
        return "| `" + file + "` | `" + WireCodec.hex(f) + "` |\n";
    }

    /** Parsed with a parser that knows no other type: fails where the file is not standalone. */
    private static Schema parseAlone(Path file) throws IOException {
        return new SchemaParser()
                .parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8))
                .mainSchema();
    }
}
