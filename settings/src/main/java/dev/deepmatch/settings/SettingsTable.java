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
                    .append(s.defaultValue() == null ? "-" : "`" + s.formattedDefault() + "`")
                    .append(" | ")
                    .append(cell(s.expectation()))
                    .append(" | ")
                    .append(cell(s.description()))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
