package dev.deepmatch.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingsTable;
import dev.deepmatch.tools.local.LocalMain;
import dev.deepmatch.tools.local.PipelineBenchMain;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/OPERATIONS.md names what the job declares: its settings tables are the declarations' own,
 * and every metric name of {@link LearnerMetrics} is in its metrics table. After changing a
 * declaration, rewrite the tables with {@code mvn -pl tools test -Dtest=OperationsDocsTest
 * -Ddocs.update=true}.
 */
class OperationsDocsTest {
    private static final Path OPERATIONS = Path.of("../docs/OPERATIONS.md");

    @Test
    void everyModelSettingIsInTheUsageOfLocalAndBenchPipeline() {
        for (CommandLine command :
                new CommandLine[] {
                    LocalMain.COMMAND, PipelineBenchMain.COMMAND, JobConfig.COMMAND
                }) {
            String usage = command.usage();
            for (Setting<?> s : ModelSettings.ALL) {
                assertThat(usage).as(command.command()).contains("  --" + s.name() + " ");
            }
        }
    }

    @Test
    void theSettingsTablesAreTheDeclarations() throws IOException {
        check(OPERATIONS, "job", SettingsTable.markdown(JobConfig.COMMAND));
        check(
                OPERATIONS,
                "local",
                SettingsTable.markdownGroups(
                        LocalMain.COMMAND.groups().stream()
                                .filter(
                                        g ->
                                                List.of("local", "plays", "producer")
                                                        .contains(g.title()))
                                .toList()));
    }

    @Test
    void everyMetricIsInTheMetricsTable() throws Exception {
        String doc = Files.readString(OPERATIONS, StandardCharsets.UTF_8);
        for (Field f : LearnerMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String name = (String) f.get(null);
                assertThat(doc).as(f.getName()).contains("`" + name);
            }
        }
    }

    private static void check(Path file, String block, String table) throws IOException {
        String doc = Files.readString(file, StandardCharsets.UTF_8);
        String expected = SettingsTable.replaceBlock(doc, block, table);
        if (Boolean.getBoolean("docs.update")) {
            Files.writeString(file, expected, StandardCharsets.UTF_8);
            doc = expected;
        }
        assertThat(doc)
                .as(file + "'s settings table " + block + "; -Ddocs.update=true rewrites it")
                .isEqualTo(expected);
    }
}
