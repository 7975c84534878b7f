package dev.deepmatch.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One declared setting: its name (the same on every command line, in {@code config.yaml} and in the
 * docs), its type, default, allowed values and description. Declarations are constants, e.g.
 *
 * <pre>{@code
 * public static final Setting<Integer> HIDDEN =
 *         Setting.ofInt("hidden", 64).range(1, 4096).describedAs("H: width of the vectors");
 * }</pre>
 *
 * <p>Immutable; every {@code with}-style method returns a new declaration. A value is checked
 * against the declaration when it is set ({@link Settings.Builder#set}), so a wrong value names the
 * setting, the value and what is allowed wherever it comes from.
 */
public final class Setting<T> {

    // Set once by a factory or a with-method on a fresh copy; never changed after.
    private String name;
    private String valueName;
    private Function<String, T> parser;
    private Function<T, String> formatter;
    private T defaultValue;
    private Predicate<T> check = v -> true;
    private String expectation;
    private String description = "";
    private boolean flag;
    private String defaultText;

    /** Shown after the rule in an error message, e.g. how a duration is written. */
    private String example = "";

    private Setting() {}

    private Setting<T> copy() {
        Setting<T> c = new Setting<>();
        c.name = name;
        c.valueName = valueName;
        c.parser = parser;
        c.formatter = formatter;
        c.defaultValue = defaultValue;
        c.check = check;
        c.expectation = expectation;
        c.description = description;
        c.flag = flag;
        c.defaultText = defaultText;
        c.example = example;
        return c;
    }

    private static <T> Setting<T> of(
            String name,
            String valueName,
            Function<String, T> parser,
            Function<T, String> formatter,
            T defaultValue,
            String expectation,
            boolean flag) {
        if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("setting names are kebab-case, got '" + name + "'");
        }
        Setting<T> s = new Setting<>();
        s.name = name;
        s.valueName = valueName;
        s.parser = parser;
        s.formatter = formatter;
        s.defaultValue = defaultValue;
        s.expectation = expectation;
        s.flag = flag;
        return s;
    }

    // ------------------------------------------------------------------------------------------
    //  Types
    // ------------------------------------------------------------------------------------------

    public static Setting<Integer> ofInt(String name, Integer defaultValue) {
        return of(
                name,
                "N",
                v -> (int) parseLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE),
                String::valueOf,
                defaultValue,
                "an integer",
                false);
    }

    public static Setting<Long> ofLong(String name, Long defaultValue) {
        return of(
                name,
                "N",
                v -> parseLong(v, Long.MIN_VALUE, Long.MAX_VALUE),
                String::valueOf,
                defaultValue,
                "an integer",
                false);
    }

    public static Setting<Double> ofDouble(String name, Double defaultValue) {
        return of(
                name,
                "R",
                Setting::parseDouble,
                Setting::formatDouble,
                defaultValue,
                "a number",
                false);
    }

    /** A boolean; on a command line {@code --name} alone means true. */
    public static Setting<Boolean> ofBoolean(String name, Boolean defaultValue) {
        return of(
                name,
                "true|false",
                Setting::parseBoolean,
                String::valueOf,
                defaultValue,
                "true or false",
                true);
    }

    public static Setting<String> ofString(String name, String defaultValue) {
        return of(name, "S", v -> v, v -> v, defaultValue, "a string", false);
    }

    /**
     * A duration written like {@code 500 ms}, {@code 10 s}, {@code 5 min}, {@code 2 h}, {@code 30
     * d}.
     */
    public static Setting<Duration> ofDuration(String name, Duration defaultValue) {
        Setting<Duration> s =
                of(
                        name,
                        "DURATION",
                        Durations::parse,
                        Durations::format,
                        defaultValue,
                        "a duration",
                        false);
        s.example = " (written like '500 ms', '10 s', '5 min', '2 h', '30 d')";
        return s;
    }

    public static Setting<Path> ofPath(String name, String valueName) {
        return of(name, valueName, Path::of, Path::toString, null, "a path", false);
    }

    /**
     * An enum by its constant names in lower case with dashes for underscores ({@code MSSD_MINI} is
     * {@code mssd-mini}).
     */
    public static <E extends Enum<E>> Setting<E> ofEnum(
            String name, Class<E> type, E defaultValue) {
        E[] constants = type.getEnumConstants();
        String names =
                Arrays.stream(constants).map(Setting::enumName).collect(Collectors.joining(", "));
        return of(
                name,
                Arrays.stream(constants).map(Setting::enumName).collect(Collectors.joining("|")),
                v -> {
                    for (E e : constants) {
                        if (enumName(e).equals(v.trim().toLowerCase(Locale.ROOT))) {
                            return e;
                        }
                    }
                    throw new IllegalArgumentException("not a constant");
                },
                Setting::enumName,
                defaultValue,
                "one of " + names,
                false);
    }

    /** Comma-separated numbers, in the order given, without repeats. */
    public static Setting<List<Double>> ofDoubleList(String name, List<Double> defaultValue) {
        return of(
                name,
                "R,R,...",
                v -> parseList(v, Setting::parseDouble),
                l -> l.stream().map(Setting::formatDouble).collect(Collectors.joining(",")),
                defaultValue,
                "comma-separated numbers",
                false);
    }

    /** Comma-separated integers, in the order given, without repeats. */
    public static Setting<List<Long>> ofLongList(String name, List<Long> defaultValue) {
        return of(
                name,
                "N,N,...",
                v -> parseList(v, s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE)),
                Setting::joinList,
                defaultValue,
                "comma-separated integers",
                false);
    }

    /** Comma-separated integers, sorted ascending, without repeats. */
    public static Setting<List<Integer>> ofSortedIntList(String name, List<Integer> defaultValue) {
        return of(
                name,
                "N,N,...",
                v ->
                        parseList(v, s -> (int) parseLong(s, Integer.MIN_VALUE, Integer.MAX_VALUE))
                                .stream()
                                .sorted()
                                .toList(),
                Setting::joinList,
                defaultValue,
                "comma-separated integers",
                false);
    }

    // ------------------------------------------------------------------------------------------
    //  Constraints and docs
    // ------------------------------------------------------------------------------------------

    /** Values from {@code min} to {@code max}, both included. */
    public <C extends Comparable<C>> Setting<T> range(C min, C max) {
        return constrained(v -> inRange(v, min, max), " in [" + show(min) + ", " + show(max) + "]");
    }

    /** Values of at least {@code min}. */
    public <C extends Comparable<C>> Setting<T> atLeast(C min) {
        return constrained(v -> inRange(v, min, null), " of at least " + show(min));
    }

    /** Non-empty strings (after trimming). */
    public Setting<T> nonEmpty() {
        return constrained(v -> !v.toString().isBlank(), ", not empty");
    }

    /** Any further rule, with what it allows for messages and docs (e.g. "each in [0, 100]"). */
    public Setting<T> check(Predicate<T> rule, String allows) {
        return constrained(rule, allows);
    }

    public Setting<T> describedAs(String text) {
        Setting<T> c = copy();
        c.description = text;
        return c;
    }

    /**
     * How the usage text and docs show the default, where it is not one value (e.g. {@code 0 for a
     * file, 1000 for the generator}); the setting itself then has no default.
     */
    public Setting<T> defaultShownAs(String text) {
        Setting<T> c = copy();
        c.defaultText = text;
        return c;
    }

    /** The name of the value in usage texts, e.g. {@code FILE} in {@code --events FILE}. */
    public Setting<T> valueName(String text) {
        Setting<T> c = copy();
        c.valueName = text;
        return c;
    }

    /** The same setting with another default, for a command whose typical use differs. */
    public Setting<T> withDefault(T value) {
        Setting<T> c = copy();
        c.defaultValue = value;
        if (value != null) {
            c.validate(value);
        }
        return c;
    }

    private Setting<T> constrained(Predicate<T> rule, String suffix) {
        Setting<T> c = copy();
        c.check = check.and(rule);
        c.expectation = expectation + suffix;
        if (defaultValue != null) {
            c.validate(defaultValue);
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------
    //  Use
    // ------------------------------------------------------------------------------------------

    public String name() {
        return name;
    }

    /** Null where the setting has no default (it is optional or required by its command). */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** What the setting accepts, e.g. {@code an integer in [1, 4096]}. */
    public String expectation() {
        return expectation;
    }

    public String valueName() {
        return valueName;
    }

    /** Whether {@code --name} alone (no value) means true. */
    public boolean isFlag() {
        return flag;
    }

    /** Parses and checks a written value. */
    public T parse(String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw invalid(text);
        }
        return validate(value);
    }

    /** Checks a value; returns it. */
    public T validate(T value) {
        boolean ok;
        try {
            ok = value != null && check.test(value);
        } catch (RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw invalid(value == null ? "null" : format(value));
        }
        return value;
    }

    /** The value as it would be written on a command line. */
    public String format(T value) {
        return formatter.apply(value);
    }

    /** The default as written, or how it is described, or {@code none}. */
    public String formattedDefault() {
        if (defaultText != null) {
            return defaultText;
        }
        return defaultValue == null ? "none" : format(defaultValue);
    }

    private SettingException invalid(String written) {
        return new SettingException(
                name,
                "--" + name + " must be " + expectation + example + ", got '" + written + "'");
    }

    @Override
    public String toString() {
        return "--" + name;
    }

    // ------------------------------------------------------------------------------------------
    //  Parsing helpers
    // ------------------------------------------------------------------------------------------

    static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static long parseLong(String v, long min, long max) {
        long parsed = Long.parseLong(v.replace("_", ""));
        if (parsed < min || parsed > max) {
            throw new NumberFormatException("out of the type's range");
        }
        return parsed;
    }

    private static double parseDouble(String v) {
        double d = Double.parseDouble(v);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new NumberFormatException("not finite");
        }
        return d;
    }

    /** Shortest form that reads back as the same double, e.g. 1.5, 0.001, 1.0E-8. */
    private static String formatDouble(Double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? String.valueOf(d.longValue())
                : String.valueOf(d);
    }

    private static boolean parseBoolean(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static <E> List<E> parseList(String v, Function<String, E> element) {
        List<E> list = Arrays.stream(v.split(",")).map(String::trim).map(element).toList();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("empty list");
        }
        return list.stream().distinct().toList();
    }

    private static String joinList(List<?> list) {
        return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean inRange(Object value, Comparable min, Comparable max) {
        if (value instanceof List<?> list) {
            return list.stream().allMatch(e -> inRange(e, min, max));
        }
        Comparable v = (Comparable) value;
        if (min instanceof Number && v instanceof Number) {
            // ranges are written with literals of any numeric type
            double d = ((Number) v).doubleValue();
            return d >= ((Number) min).doubleValue()
                    && (max == null || d <= ((Number) max).doubleValue());
        }
        return v.compareTo(min) >= 0 && (max == null || v.compareTo(max) <= 0);
    }

    private static String show(Object bound) {
        if (bound instanceof Duration d) {
            return Durations.format(d);
        }
        if (bound instanceof Double d) {
            return formatDouble(d);
        }
        return Objects.toString(bound);
    }
}
