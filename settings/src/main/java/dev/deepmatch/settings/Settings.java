package dev.deepmatch.settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values of declared {@link Setting}s, each checked against its declaration when set. A setting not
 * given reads as its declared default. Immutable.
 */
public final class Settings {

    private static final Settings EMPTY = new Settings(Map.of());

    /** By setting name: two declarations of one name (e.g. a command's own default) agree. */
    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No setting given: every one reads as its default. */
    public static Settings defaults() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder(Map.of());
    }

    /** The given value, else the setting's default (null where it has none). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(setting.name());
        return v != null ? (T) v : setting.defaultValue();
    }

    /** Like {@link #get}, but a setting without value or default is an error naming it. */
    public <T> T require(Setting<T> setting) {
        T v = get(setting);
        if (v == null) {
            throw new SettingException(setting.name(), "--" + setting.name() + " is required");
        }
        return v;
    }

    /** Whether a value was given (rather than the default). */
    public boolean isSet(Setting<?> setting) {
        return values.containsKey(setting.name());
    }

    /** Names of the settings given, in the order they were set. */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    public Builder toBuilder() {
        return new Builder(values);
    }

    /** The effective value of each of {@code settings}, as written on a command line. */
    public Map<String, String> written(List<Setting<?>> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            out.put(s.name(), writtenValue(s));
        }
        return out;
    }

    private <T> String writtenValue(Setting<T> s) {
        T v = get(s);
        return v == null ? "" : s.format(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings s && values.equals(s.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Settings" + values;
    }

    /** Collects values, checking each as it is set. */
    public static final class Builder {
        private final Map<String, Object> values;

        private Builder(Map<String, Object> initial) {
            values = new LinkedHashMap<>(initial);
        }

        /** Sets a value; one the setting does not allow throws {@link SettingException}. */
        public <T> Builder set(Setting<T> setting, T value) {
            values.put(setting.name(), setting.validate(value));
            return this;
        }

        /** Sets a value from its written form, e.g. {@code "10 s"}. */
        public <T> Builder parse(Setting<T> setting, String written) {
            values.put(setting.name(), setting.parse(written));
            return this;
        }

        /** Every value of {@code other} on top of these. */
        public Builder setAll(Settings other) {
            values.putAll(other.values);
            return this;
        }

        /** Back to the default. */
        public Builder unset(Setting<?> setting) {
            values.remove(setting.name());
            return this;
        }

        public Settings build() {
            return new Settings(values);
        }
    }
}
