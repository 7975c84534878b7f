package dev.deepmatch.tools.savepoint;

import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

/**
 * {@code bin/learner upgrade-savepoint}: copies a savepoint of the single-trainer releases (before
 * 2026-12-02), whose trainer was declared with max parallelism 1, raising the max parallelism of
 * every operator state that had 1 and holds no keyed state to {@code --max-parallelism}. Flink
 * keeps a state's max parallelism and refuses a parallelism above it, so only the copy restores
 * with {@code --trainer-parallelism} above 1. Keyed state (the windows) keeps its key groups.
 */
public final class SavepointUpgradeMain {

    static final Setting<String> SAVEPOINT =
            Setting.ofString("savepoint", null).describedAs("the savepoint directory to upgrade");

    static final Setting<String> TO =
            Setting.ofString("to", null)
                    .describedAs("directory of the upgraded copy (must not exist)");

    static final Setting<Integer> MAX_PARALLELISM =
            Setting.ofInt("max-parallelism", 128)
                    .range(2, 32_768)
                    .describedAs("new max parallelism of the trainer's state (the job's)");

    public static final CommandLine COMMAND =
            CommandLine.builder(
                            "upgrade-savepoint",
                            "Copies a savepoint of the single-trainer releases so that it restores"
                                    + " with several trainers.")
                    .group("savepoint", List.of(SAVEPOINT, TO, MAX_PARALLELISM))
                    .build();

    private SavepointUpgradeMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    public static int run(String[] argv) throws IOException {
        Settings s;
        try {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                System.out.print(COMMAND.usage());
                return 0;
            }
            s = parsed.settings();
            if (s.get(SAVEPOINT) == null) {
                throw new UsageException("--savepoint is required");
            }
            if (s.get(TO) == null) {
                throw new UsageException("--to is required");
            }
            Path from = Path.of(s.get(SAVEPOINT));
            if (!Files.isRegularFile(from.resolve("_metadata"))) {
                throw new UsageException(
                        "--savepoint " + from + " is not a savepoint directory (no _metadata)");
            }
            if (Files.exists(Path.of(s.get(TO)))) {
                throw new UsageException("--to " + s.get(TO) + " exists already");
            }
        } catch (UsageException | SettingException e) {
            System.err.println("upgrade-savepoint: " + e.getMessage());
            return 2;
        }
        List<String> raised =
                upgrade(Path.of(s.get(SAVEPOINT)), Path.of(s.get(TO)), s.get(MAX_PARALLELISM));
        System.out.println(
                "upgrade-savepoint: wrote "
                        + s.get(TO)
                        + "; max parallelism "
                        + s.get(MAX_PARALLELISM)
                        + " for "
                        + (raised.isEmpty() ? "no operator (nothing to do)" : raised));
        return 0;
    }

    /**
     * Copies {@code from} to {@code to} with the raised max parallelism; returns what it raised.
     */
    static List<String> upgrade(Path from, Path to, int maxParallelism) throws IOException {
        CheckpointMetadata metadata;
        try (InputStream in = Files.newInputStream(from.resolve("_metadata"))) {
            metadata =
                    Checkpoints.loadCheckpointMetadata(
                            new DataInputStream(in),
                            SavepointUpgradeMain.class.getClassLoader(),
                            from.toUri().toString());
        }
        List<OperatorState> states = new ArrayList<>();
        List<String> raised = new ArrayList<>();
        for (OperatorState state : metadata.getOperatorStates()) {
            boolean keyed =
                    state.getStates().stream()
                            .anyMatch(
                                    t ->
                                            t.getManagedKeyedState().hasState()
                                                    || t.getRawKeyedState().hasState());
            if (state.getMaxParallelism() != 1 || keyed) {
                states.add(state);
                continue;
            }
            OperatorState copy =
                    new OperatorState(
                            state.getOperatorName().orElse(null),
                            state.getOperatorUid().orElse(null),
                            state.getOperatorID(),
                            state.getParallelism(),
                            maxParallelism);
            for (Map.Entry<Integer, OperatorSubtaskState> e : state.getSubtaskStates().entrySet()) {
                copy.putState(e.getKey(), e.getValue());
            }
            if (state.getCoordinatorState() != null) {
                copy.setCoordinatorState(state.getCoordinatorState());
            }
            states.add(copy);
            raised.add(
                    state.getOperatorUid()
                            .or(state::getOperatorName)
                            .orElse(state.getOperatorID().toString()));
        }
        copyTree(from, to);
        try (OutputStream out = Files.newOutputStream(to.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(
                    new CheckpointMetadata(
                            metadata.getCheckpointId(),
                            states,
                            metadata.getMasterStates(),
                            metadata.getCheckpointProperties()),
                    new DataOutputStream(out));
        }
        return raised;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
