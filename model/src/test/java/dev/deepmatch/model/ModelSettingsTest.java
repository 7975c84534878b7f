package dev.deepmatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelSettingsTest {

    @Test
    void everyDeclaredSettingReachesTheConfigAndBack() {
        ModelConfig config = Fixtures.tiny().build();
        Settings written = config.toSettings();
        assertThat(written.names())
                .containsExactlyElementsOf(ModelSettings.ALL.stream().map(Setting::name).toList());
        assertThat(ModelConfig.from(written)).isEqualTo(config);
        // a value that differs from the default in every setting would expose a swapped field
        assertThat(ModelConfig.defaults()).isNotEqualTo(config);
    }

    @Test
    void eachSettingMapsToItsOwnField() {
        ModelConfig defaults = ModelConfig.defaults();
        for (Setting<?> s : ModelSettings.ALL) {
            Settings changed = changed(s, defaults.toSettings());
            if (changed == null) {
                continue; // no other allowed value to try (e.g. at a bound)
            }
            ModelConfig config = ModelConfig.from(changed);
            assertThat(config.toSettings().written(ModelSettings.ALL))
                    .as(s.name())
                    .isEqualTo(changed.written(ModelSettings.ALL));
        }
    }

    /** The settings with {@code s} set to another allowed value, or null if none was found. */
    @SuppressWarnings("unchecked")
    private static <T> Settings changed(Setting<T> s, Settings base) {
        T current = base.get(s);
        Object other = null;
        if (current instanceof Integer i) {
            other = i * 2;
        } else if (current instanceof Long l) {
            other = l + 1;
        } else if (current instanceof Double d) {
            other = d / 2;
        } else if (current instanceof Boolean b) {
            other = !b;
        } else if (current instanceof NegativeLoss) {
            other = NegativeLoss.ABSOLUTE;
        }
        try {
            return base.toBuilder().set(s, (T) other).build();
        } catch (SettingException | ClassCastException e) {
            return null;
        }
    }

    @Test
    void namesAreUniqueAcrossModelAndRuntime() {
        Set<String> names = new HashSet<>();
        ModelSettings.ALL.forEach(s -> assertThat(names.add(s.name())).as(s.name()).isTrue());
        ModelSettings.RUNTIME.forEach(s -> assertThat(names.add(s.name())).as(s.name()).isTrue());
    }

    @Test
    void aValueOutOfRangeNamesTheSettingTheValueAndTheRange() {
        assertThatThrownBy(() -> ModelConfig.builder().set(ModelSettings.HIDDEN, 0))
                .isInstanceOf(SettingException.class)
                .hasMessage("--hidden must be an integer in [1, 4096], got '0'");
        assertThatThrownBy(() -> new ModelRuntime(0, ModelSettings.PRECISION.defaultValue()))
                .hasMessage("--threads must be an integer in [1, 256], got '0'");
    }
}
