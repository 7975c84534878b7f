package dev.deepmatch.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    enum Precision {
        FLOAT,
        DOUBLE
    }

    static final Setting<Integer> HIDDEN =
            Setting.ofInt("hidden", 64).range(1, 4096).describedAs("width of the vectors");
    static final Setting<Duration> INTERVAL =
            Setting.ofDuration("emission-interval", Duration.ofSeconds(10))
                    .range(Duration.ofMillis(100), Duration.ofDays(1));
    static final Setting<Boolean> FACTORIZED = Setting.ofBoolean("factorized", true);
    static final Setting<Precision> PRECISION =
            Setting.ofEnum("precision", Precision.class, Precision.FLOAT);
    static final Setting<List<Double>> WEIGHTS =
            Setting.ofDoubleList("neg-weights", null).atLeast(0.0);

    static final CommandLine CLI =
            CommandLine.builder("try", "A command for the tests.")
                    .group("model", List.of(HIDDEN, FACTORIZED, PRECISION, WEIGHTS))
                    .group("job", List.of(INTERVAL))
                    .passThrough("kafka.", "to every Kafka client")
                    .build();

    @Test
    void readsEveryFormOfAValue() throws Exception {
        Settings s =
                CLI.parse(
                                new String[] {
                                    "--hidden",
                                    "32",
                                    "--emission-interval=500 ms",
                                    "--factorized",
                                    "false",
                                    "--precision",
                                    "double",
                                    "--neg-weights",
                                    "0,1.5,1.5,2"
                                })
                        .settings();
        assertThat(s.get(HIDDEN)).isEqualTo(32);
        assertThat(s.get(INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(s.get(FACTORIZED)).isFalse();
        assertThat(s.get(PRECISION)).isEqualTo(Precision.DOUBLE);
        assertThat(s.get(WEIGHTS)).containsExactly(0.0, 1.5, 2.0);
    }

    @Test
    void settingsNotGivenReadAsTheirDefaults() throws Exception {
        Settings s = CLI.parse(new String[0]).settings();
        assertThat(s.get(HIDDEN)).isEqualTo(64);
        assertThat(s.isSet(HIDDEN)).isFalse();
        assertThat(s.get(WEIGHTS)).isNull();
    }

    @Test
    void aBareBooleanMeansTrue() throws Exception {
        Settings s = CLI.parse(new String[] {"--factorized", "--hidden", "8"}).settings();
        assertThat(s.get(FACTORIZED)).isTrue();
        assertThat(s.get(HIDDEN)).isEqualTo(8);
    }

    @Test
    void aWrongValueNamesTheSettingTheValueAndTheRule() {
        assertThatThrownBy(() -> CLI.parse(new String[] {"--hidden", "0"}))
                .isInstanceOf(UsageException.class)
                .hasMessage("--hidden must be an integer in [1, 4096], got '0'");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--precision", "half"}))
                .hasMessage("--precision must be one of float, double, got 'half'");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--factorized", "yes"}))
                .hasMessage("--factorized must be true or false, got 'yes'");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--emission-interval", "10 ms"}))
                .hasMessage(
                        "--emission-interval must be a duration in [100 ms, 1 d] (written like"
                                + " '500 ms', '10 s', '5 min', '2 h', '30 d'), got '10 ms'");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--neg-weights", "1,-1"}))
                .hasMessage(
                        "--neg-weights must be comma-separated numbers of at least 0, got '1,-1'");
    }

    @Test
    void unknownRepeatedAndValuelessSettingsAreErrors() {
        assertThatThrownBy(() -> CLI.parse(new String[] {"--hiden", "3"}))
                .hasMessage("unknown setting --hiden; did you mean --hidden?");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--colour", "red"}))
                .hasMessage("unknown setting --colour");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--hidden", "3", "--hidden=4"}))
                .hasMessage("--hidden is given twice");
        assertThatThrownBy(() -> CLI.parse(new String[] {"--hidden"}))
                .hasMessage("--hidden needs a value");
        assertThatThrownBy(() -> CLI.parse(new String[] {"hidden"}))
                .hasMessageStartingWith("unexpected argument 'hidden'");
    }

    @Test
    void prefixedSettingsPassThroughByPrefix() throws Exception {
        CommandLine.Parsed p =
                CLI.parse(
                        new String[] {
                            "--kafka.security.protocol", "SASL_SSL", "--kafka.acks", "all"
                        });
        assertThat(p.prefixed("kafka."))
                .containsExactly(
                        Map.entry("acks", "all"), Map.entry("security.protocol", "SASL_SSL"));
    }

    @Test
    void baseValuesAreOverriddenByTheCommandLine() throws Exception {
        Settings s =
                CLI.parse(
                                new String[] {"--hidden", "16"},
                                Map.of("hidden", "8", "factorized", "false"))
                        .settings();
        assertThat(s.get(HIDDEN)).isEqualTo(16);
        assertThat(s.get(FACTORIZED)).isFalse();
        assertThatThrownBy(() -> CLI.parse(new String[0], Map.of("hidden", "x")))
                .hasMessage("--hidden must be an integer in [1, 4096], got 'x'");
    }

    @Test
    void aCommandsOwnDefaultIsUsedAndShown() throws Exception {
        CommandLine bench =
                CommandLine.builder("bench", "Times the step.")
                        .group("model", List.of(HIDDEN))
                        .override(HIDDEN.withDefault(256))
                        .build();
        assertThat(bench.parse(new String[0]).settings().get(HIDDEN)).isEqualTo(256);
        assertThat(bench.usage()).contains("(default 256; an integer in [1, 4096])");
        assertThatThrownBy(() -> HIDDEN.withDefault(0)).isInstanceOf(SettingException.class);
    }

    @Test
    void usageListsEveryDeclarationWithItsDefaultAndRule() throws Exception {
        String usage = CLI.usage();
        for (Setting<?> s : CLI.settings()) {
            assertThat(usage).contains("--" + s.name() + " " + s.valueName());
        }
        assertThat(usage)
                .contains("--hidden N")
                .contains("width of the vectors (default 64; an integer in [1, 4096])")
                .contains("(default float; one of float, double)")
                .contains("--kafka.<name> V");
        assertThat(CLI.parse(new String[] {"--help"}).help()).isTrue();
    }

    @Test
    void aDeclaredDefaultMustBeAllowed() {
        assertThatThrownBy(() -> Setting.ofInt("batch-size", 0).range(1, 10))
                .hasMessage("--batch-size must be an integer in [1, 10], got '0'");
    }

    @Test
    void durationsReadBackAsWritten() {
        for (String written : List.of("500 ms", "10 s", "5 min", "2 h", "30 d", "90 s")) {
            assertThat(Durations.format(Durations.parse(written))).isEqualTo(written);
        }
        assertThat(Durations.parse("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("3 minutes")).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void theDocsTableHasOneRowPerSetting() {
        String table = SettingsTable.markdown(CLI.settings());
        assertThat(table.lines()).hasSize(2 + CLI.settings().size());
        assertThat(table)
                .contains("| `hidden` | `64` | an integer in [1, 4096] | width of the vectors |");
        assertThat(table).contains("| `neg-weights` | - |");
    }

    @Test
    void aDocsBlockIsReplacedBetweenItsMarkers() {
        String doc = "intro\n<!-- settings:try -->\nold\n<!-- /settings:try -->\nend\n";
        assertThat(SettingsTable.replaceBlock(doc, "try", "new\n"))
                .isEqualTo("intro\n<!-- settings:try -->\nnew\n<!-- /settings:try -->\nend\n");
        assertThatThrownBy(() -> SettingsTable.replaceBlock("no markers", "try", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SettingsTable.markdown(CLI)).startsWith("**model**\n\n| setting |");
        assertThat(SettingsTable.markdown(CLI)).contains("\n**job**\n\n| setting |");
    }
}
