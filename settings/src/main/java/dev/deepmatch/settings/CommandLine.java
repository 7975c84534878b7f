package dev.deepmatch.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One command's command line, built from setting declarations: {@code --name value}, {@code
 * --name=value}, and {@code --name} alone for booleans. Parsing checks every value against its
 * declaration; the usage text is generated from the same declarations, so the two cannot drift.
 *
 * <pre>{@code
 * CommandLine cli = CommandLine.builder("replay", "Prequential evaluation on a file.")
 *         .group("model", ModelSettings.ALL)
 *         .build();
 * CommandLine.Parsed parsed = cli.parse(args); // throws UsageException naming the setting
 * }</pre>
 */
public final class CommandLine {

    private static final int NAME_COLUMN = 30;
    private static final int WIDTH = 100;

    private final String command;
    private final String summary;
    private final List<Group> groups;
    private final Map<String, Setting<?>> byName;
    private final Map<String, String> passThrough;

    /** Settings whose default this command replaces; parsed values always include them. */
    private final List<Setting<?>> overridden;

    /** Settings shown together under a title in the usage text. */
    public record Group(String title, List<Setting<?>> settings) {}

    private CommandLine(
            String command,
            String summary,
            List<Group> groups,
            Map<String, Setting<?>> byName,
            Map<String, String> passThrough,
            List<Setting<?>> overridden) {
        this.command = command;
        this.summary = summary;
        this.groups = List.copyOf(groups);
        this.byName = byName;
        this.passThrough = passThrough;
        this.overridden = List.copyOf(overridden);
    }

    public static Builder builder(String command, String summary) {
        return new Builder(command, summary);
    }

    /** What a command line said. */
    public record Parsed(
            boolean help, Settings settings, Map<String, Map<String, String>> prefixed) {

        /** The {@code --<prefix>key value} arguments as {@code key -> value}, sorted by key. */
        public Map<String, String> prefixed(String prefix) {
            return prefixed.getOrDefault(prefix, Map.of());
        }
    }

    /** Parses a command line on top of the defaults. */
    public Parsed parse(String[] argv) throws UsageException {
        return parse(argv, Map.of());
    }

    /**
     * Parses a command line on top of {@code base} values (e.g. from a configuration file, by
     * setting name), which it overrides. A base entry naming no setting of this command is an error
     * too.
     */
    public Parsed parse(String[] argv, Map<String, String> base) throws UsageException {
        Map<String, String> written = new LinkedHashMap<>(base);
        boolean help = false;
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException(
                        "unexpected argument '" + arg + "': settings look like --name value");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            } else if (isFlag(name)) {
                value = "true";
            } else if (!byName.containsKey(name) && prefixOf(name) == null) {
                throw new UsageException(unknown(name));
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            if (given.put(name, value) != null) {
                throw new UsageException("--" + name + " is given twice");
            }
        }
        if (help) {
            return new Parsed(true, Settings.defaults(), Map.of());
        }
        written.putAll(given);

        Settings.Builder settings = Settings.builder();
        Map<String, Map<String, String>> prefixed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : written.entrySet()) {
            String name = e.getKey();
            Setting<?> setting = byName.get(name);
            if (setting != null) {
                try {
                    settings.parse(setting, e.getValue());
                } catch (SettingException invalid) {
                    throw new UsageException(invalid.getMessage());
                }
                continue;
            }
            String prefix = prefixOf(name);
            if (prefix == null) {
                throw new UsageException(unknown(name));
            }
            prefixed.computeIfAbsent(prefix, p -> new TreeMap<>())
                    .put(name.substring(prefix.length()), e.getValue());
        }
        return new Parsed(false, withDefaults(settings.build()), prefixed);
    }

    /**
     * The command's own defaults as values, so that code reading the shared declaration gets them.
     */
    private Settings withDefaults(Settings parsed) {
        Settings.Builder b = parsed.toBuilder();
        for (Setting<?> s : overridden) {
            if (!parsed.isSet(s) && s.defaultValue() != null) {
                setDefault(b, s);
            }
        }
        return b.build();
    }

    private static <T> void setDefault(Settings.Builder b, Setting<T> s) {
        b.set(s, s.defaultValue());
    }

    private boolean isFlag(String name) {
        Setting<?> s = byName.get(name);
        return s != null && s.isFlag();
    }

    private String prefixOf(String name) {
        for (String prefix : passThrough.keySet()) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return prefix;
            }
        }
        return null;
    }

    private String unknown(String name) {
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (String known : byName.keySet()) {
            int d = editDistance(name, known);
            if (d < best) {
                best = d;
                nearest = known;
            }
        }
        String hint =
                nearest != null && best <= Math.max(2, name.length() / 4)
                        ? "; did you mean --" + nearest + "?"
                        : "";
        return "unknown setting --" + name + hint;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public List<Group> groups() {
        return groups;
    }

    /** Every declared setting of this command, in usage order. */
    public List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.settings()));
        return all;
    }

    public String command() {
        return command;
    }

    /** The usage text, generated from the declarations. */
    public String usage() {
        StringBuilder out = new StringBuilder();
        out.append("usage: bin/learner ").append(command).append(" [--setting value ...]\n");
        wrap(out, "", summary, "");
        for (Group g : groups) {
            out.append('\n').append(g.title()).append(":\n");
            for (Setting<?> s : g.settings()) {
                String head = "  --" + s.name() + " " + s.valueName();
                String text =
                        s.description()
                                + (s.description().isEmpty() ? "" : " ")
                                + "(default "
                                + s.formattedDefault()
                                + "; "
                                + s.expectation()
                                + ")";
                if (head.length() >= NAME_COLUMN - 1) {
                    out.append(head).append('\n');
                    head = "";
                }
                wrap(out, pad(head), text, " ".repeat(NAME_COLUMN));
            }
        }
        if (!passThrough.isEmpty()) {
            out.append("\npass-through:\n");
            passThrough.forEach(
                    (prefix, what) ->
                            wrap(
                                    out,
                                    pad("  --" + prefix + "<name> V"),
                                    what,
                                    " ".repeat(NAME_COLUMN)));
        }
        return out.toString();
    }

    private static String pad(String head) {
        return head + " ".repeat(Math.max(1, NAME_COLUMN - head.length()));
    }

    /**
     * Appends {@code text} after {@code first}, wrapped at the width, continuing at {@code indent}.
     */
    private static void wrap(StringBuilder out, String first, String text, String indent) {
        StringBuilder line = new StringBuilder(first);
        int lineStart = line.length();
        for (String word : text.split(" ")) {
            if (line.length() > lineStart && line.length() + 1 + word.length() > WIDTH) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
                lineStart = line.length();
            }
            if (line.length() > lineStart) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /** Declares a command line. */
    public static final class Builder {
        private final String command;
        private final String summary;
        private final List<Group> groups = new ArrayList<>();
        private final Map<String, Setting<?>> byName = new LinkedHashMap<>();
        private final Map<String, String> passThrough = new LinkedHashMap<>();
        private final List<Setting<?>> overridden = new ArrayList<>();

        private Builder(String command, String summary) {
            this.command = command;
            this.summary = summary;
        }

        /** Settings under a title; a name may appear once per command. */
        public Builder group(String title, List<? extends Setting<?>> settings) {
            List<Setting<?>> list = new ArrayList<>(settings);
            for (Setting<?> s : list) {
                if (byName.put(s.name(), s) != null) {
                    throw new IllegalArgumentException(
                            command + " declares --" + s.name() + " twice");
                }
            }
            groups.add(new Group(title, list));
            return this;
        }

        /**
         * Replaces a declared setting by a variant of the same name, e.g. with this command's own
         * default ({@link Setting#withDefault}).
         */
        public Builder override(Setting<?> variant) {
            if (!byName.containsKey(variant.name())) {
                throw new IllegalArgumentException(command + " has no --" + variant.name());
            }
            byName.put(variant.name(), variant);
            overridden.add(variant);
            for (int i = 0; i < groups.size(); i++) {
                Group g = groups.get(i);
                List<Setting<?>> list = new ArrayList<>(g.settings());
                list.replaceAll(s -> s.name().equals(variant.name()) ? variant : s);
                groups.set(i, new Group(g.title(), list));
            }
            return this;
        }

        /** Accepts {@code --<prefix><name> value} for any name, handed on as it is. */
        public Builder passThrough(String prefix, String description) {
            passThrough.put(prefix, description);
            return this;
        }

        public CommandLine build() {
            return new CommandLine(
                    command,
                    summary,
                    groups,
                    new LinkedHashMap<>(byName),
                    new LinkedHashMap<>(passThrough),
                    overridden);
        }
    }
}
