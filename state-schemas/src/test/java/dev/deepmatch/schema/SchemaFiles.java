package dev.deepmatch.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;

/** Loads the current schemas (src/main/avro) and the frozen copies (src/test/resources/frozen). */
final class SchemaFiles {

    static final String NAMESPACE = "dev.deepmatch.schema";

    // Surefire runs with the module directory as working directory.
    static final Path CURRENT_DIR = Path.of("src/main/avro");
    static final Path FROZEN_ROOT = Path.of("src/test/resources/frozen");

    private SchemaFiles() {}

    /** The schemas in src/main/avro, by simple name (file X.avsc defines type X). */
    static Map<String, Schema> current() {
        return load(CURRENT_DIR);
    }

    /** Frozen version folders (v1, v2, ...), oldest first. */
    static List<String> frozenVersions() {
        requireDir(FROZEN_ROOT);
        try (Stream<Path> dirs = Files.list(FROZEN_ROOT)) {
            List<String> versions =
                    dirs.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString())
                            .filter(name -> name.matches("v\\d+"))
                            .sorted(
                                    Comparator.comparingInt(
                                            name -> Integer.parseInt(name.substring(1))))
                            .toList();
            if (versions.isEmpty()) {
                throw new IllegalStateException(
                        "no frozen/vN folder under " + FROZEN_ROOT.toAbsolutePath());
            }
            return versions;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Schema> frozen(String version) {
        return load(FROZEN_ROOT.resolve(version));
    }

    /**
     * Parses every .avsc of a folder with one parser, so files may reference each other in any
     * order (UserWindow uses WindowPlay), and keys each file's type by the file name.
     */
    static Map<String, Schema> load(Path dir) {
        requireDir(dir);
        SchemaParser parser = new SchemaParser();
        List<String> fileTypes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                parser.parse(file);
                String name = file.getFileName().toString();
                fileTypes.add(name.substring(0, name.length() - ".avsc".length()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Schema> byFullName = new TreeMap<>();
        for (Schema schema : parser.getParsedNamedSchemas()) {
            byFullName.put(schema.getFullName(), schema);
        }
        Map<String, Schema> byFile = new TreeMap<>();
        for (String type : fileTypes) {
            Schema schema = byFullName.get(NAMESPACE + "." + type);
            if (schema == null) {
                throw new IllegalStateException(
                        dir.resolve(type + ".avsc")
                                + " must define "
                                + NAMESPACE
                                + "."
                                + type
                                + " (one top-level type per file, named like the file)");
            }
            byFile.put(type, schema);
        }
        return byFile;
    }

    private static void requireDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(
                    "schema folder not found: "
                            + dir.toAbsolutePath()
                            + " (tests must run with the state-schemas module as working directory)");
        }
    }
}
