package dev.deepmatch.settings;

import java.util.List;

/** Settings as a Markdown table for the docs, generated from the declarations. */
public final class SettingsTable {
    private SettingsTable() {}

    /** {@code | setting | default | allowed | meaning |} with one row per setting. */
    public static String markdown(List<? extends Setting<?>> settings) {
        StringBuilder out = new StringBuilder();
        out.append("| setting | default | allowed | meaning |\n");
        out.append("|---|---|---|---|\n");
        for (Setting<?> s : settings) {
            out.append("| `")
                    .append(s.name())
                    .append("` | ")
                    .append(defaultCell(s))
                    .append(" | ")
                    .append(cell(s.expectation()))
                    .append(" | ")
                    .append(cell(s.description()))
                    .append(" |\n");
        }
        return out.toString();
    }

    /** One table per group of a command line, each under its title in bold. */
    public static String markdown(CommandLine command) {
        return markdownGroups(command.groups());
    }

    /** One table per group, each under its title in bold. */
    public static String markdownGroups(List<CommandLine.Group> groups) {
        StringBuilder out = new StringBuilder();
        for (CommandLine.Group g : groups) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append("**").append(g.title()).append("**\n\n").append(markdown(g.settings()));
        }
        return out.toString();
    }

    /**
     * {@code doc} with the text between the lines {@code <!-- settings:NAME -->} and {@code <!--
     * /settings:NAME -->} replaced by {@code block}.
     *
     * @throws IllegalArgumentException if the doc lacks the markers
     */
    public static String replaceBlock(String doc, String name, String block) {
        String open = "<!-- settings:" + name + " -->\n";
        String close = "<!-- /settings:" + name + " -->";
        int from = doc.indexOf(open);
        int to = doc.indexOf(close);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(
                    "no block between " + open.strip() + " and " + close + " in the doc");
        }
        return doc.substring(0, from + open.length()) + block + doc.substring(to);
    }

    /** The default as code, or the words describing it, or a dash for none. */
    private static String defaultCell(Setting<?> s) {
        String shown = s.formattedDefault();
        if (s.defaultValue() != null) {
            return "`" + shown + "`";
        }
        return shown.equals("none") ? "-" : cell(shown);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
