package dev.deepmatch.job.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@code --name value}, {@code --name=value} and bare {@code --flag} arguments. Options are taken
 * out as they are read, so whatever is left afterwards can be rejected by name or handed on (e.g.
 * to the job's own configuration).
 */
public final class CliArgs {

    private final Map<String, String> values = new LinkedHashMap<>();

    private CliArgs() {}

    /**
     * @param flags names (without dashes) that never take a value
     */
    public static CliArgs parse(String[] args, Set<String> flags) {
        CliArgs parsed = new CliArgs();
        parsed.values.putAll(split(args, flags::contains, false));
        return parsed;
    }

    /**
     * The tokenizer every launcher shares: {@code --name value} and {@code --name=value} into an
     * ordered map of names without dashes. A name given twice is an error, not a silent override.
     *
     * @param flag names that never take a value (they mean {@code true})
     * @param bareIsTrue whether any other name without a value after it means {@code true} (else
     *     that is an error naming the option)
     */
    public static LinkedHashMap<String, String> split(
            String[] args, Predicate<String> flag, boolean bareIsTrue) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "': options look like --name value");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (flag.test(name)) {
                value = "true";
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else if (bareIsTrue) {
                value = "true";
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("option --" + name + " is given twice");
            }
        }
        return out;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Takes a bare flag; {@code --flag=false} turns it off. */
    public boolean flag(String name) {
        String v = values.remove(name);
        if (v == null) {
            return false;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + " is true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    public String string(String name, String fallback) {
        String v = values.remove(name);
        return v == null ? fallback : v;
    }

    public String required(String name) {
        String v = values.remove(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    public long longValue(String name, long fallback, long min, long max) {
        String v = values.remove(name);
        if (v == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + name + " must be a whole number, got '" + v + "'");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(
                    "--" + name + " must be in [" + min + ", " + max + "], got " + parsed);
        }
        return parsed;
    }

    public int intValue(String name, int fallback, int min, int max) {
        return (int) longValue(name, fallback, min, max);
    }

    public double doubleValue(String name, double fallback, double min, double max) {
        String v = values.remove(name);
        if (v == null) {
            return fallback;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new IllegalArgumentException(
                    "--" + name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return parsed;
    }

    /** Takes every {@code --<prefix>name value} as {@code name -> value}. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (String name : new ArrayList<>(values.keySet())) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                out.put(name.substring(prefix.length()), values.remove(name));
            }
        }
        return out;
    }

    /** What has not been taken, back in {@code --name value} form. */
    public String[] remaining() {
        List<String> out = new ArrayList<>();
        values.forEach(
                (k, v) -> {
                    out.add("--" + k);
                    out.add(v);
                });
        return out.toArray(new String[0]);
    }

    /** Fails naming every option nobody took. */
    public void rejectRemaining() {
        if (!values.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown option"
                            + (values.size() > 1 ? "s" : "")
                            + ": --"
                            + String.join(", --", values.keySet()));
        }
    }
}
