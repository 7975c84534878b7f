package dev.deepmatch.sources;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real data next to the project ({@code ../shared/data} from the project root). Tests that need
 * it are skipped, with a message, where it is absent.
 */
public final class SharedData {
    private SharedData() {}

    /** A file under the shared data folder; skips the calling test if it is absent. */
    public static Path file(String relative) {
        for (Path root :
                new Path[] {
                    Path.of("..", "shared", "data"), Path.of("..", "..", "shared", "data")
                }) {
            Path candidate = root.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        assumeTrue(
                false, "shared data file " + relative + " not found next to the project: skipped");
        throw new AssertionError("unreachable");
    }
}
