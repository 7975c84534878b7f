package dev.deepmatch.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The replay and bench settings in docs/REPLAY.md are the declarations' own tables, and every model
 * setting is in both commands' usage under its one name. After changing a declaration, rewrite the
 * tables with {@code mvn -pl replay test -Dtest=SettingsDocsTest -Ddocs.update=true}.
 */
class SettingsDocsTest {
    private static final Path REPLAY_DOC = Path.of("../docs/REPLAY.md");

    @Test
    void everyModelSettingIsInTheUsageOfReplayAndBench() {
        for (CommandLine command : new CommandLine[] {ReplayOptions.COMMAND, BenchMain.COMMAND}) {
            String usage = command.usage();
            for (Setting<?> s : ModelSettings.ALL) {
                assertThat(usage).as(command.command()).contains("  --" + s.name() + " ");
            }
            for (Setting<?> s : ModelSettings.RUNTIME) {
                assertThat(usage).as(command.command()).contains("  --" + s.name() + " ");
            }
        }
    }

    @Test
    void theDocsTablesAreTheDeclarations() throws IOException {
        String doc = Files.readString(REPLAY_DOC, StandardCharsets.UTF_8);
        String expected =
                SettingsTable.replaceBlock(
                        SettingsTable.replaceBlock(
                                doc, "replay", SettingsTable.markdown(ReplayOptions.COMMAND)),
                        "bench",
                        SettingsTable.markdown(BenchMain.COMMAND));
        if (Boolean.getBoolean("docs.update")) {
            Files.writeString(REPLAY_DOC, expected, StandardCharsets.UTF_8);
            doc = expected;
        }
        assertThat(doc)
                .as("docs/REPLAY.md's settings tables; -Ddocs.update=true rewrites them")
                .isEqualTo(expected);
    }
}
