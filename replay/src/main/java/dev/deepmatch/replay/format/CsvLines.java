package dev.deepmatch.replay.format;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Line-numbered comma-separated rows with a header, one line in memory at a time. Fields may be
 * wrapped in double quotes ({@code ""} inside quotes is a quote); a quoted field cannot span lines,
 * which none of the supported formats need. Blank lines are ignored.
 */
final class CsvLines implements Closeable {
    private final BufferedReader in;
    private final String source;
    private final Map<String, Integer> header = new HashMap<>();
    private final int headerWidth;
    private long lineNumber;

    CsvLines(Path file) throws IOException {
        this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        this.source = file.getFileName().toString();
        String first = in.readLine();
        lineNumber = 1;
        if (first == null) {
            in.close();
            throw new BadFileException(source + " is empty: expected a header line");
        }
        if (first.startsWith("\uFEFF")) {
            first = first.substring(1);
        }
        List<String> names = split(first);
        for (int i = 0; i < names.size(); i++) {
            header.putIfAbsent(names.get(i).trim().toLowerCase(Locale.ROOT), i);
        }
        headerWidth = names.size();
    }

    String source() {
        return source;
    }

    /** Line number of the row last returned by {@link #next()} (the header is line 1). */
    long lineNumber() {
        return lineNumber;
    }

    int headerWidth() {
        return headerWidth;
    }

    /** Column index of a header name (case-insensitive), or -1. */
    int column(String name) {
        return header.getOrDefault(name.toLowerCase(Locale.ROOT), -1);
    }

    /** Column index of a header name that must be present. */
    int requiredColumn(String name, String format) {
        int c = column(name);
        if (c < 0) {
            throw new BadFileException(
                    source + ": header lacks column '" + name + "' required by format " + format);
        }
        return c;
    }

    /** The fields of the next non-blank line, or {@code null} at the end of the file. */
    List<String> next() throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return null;
            }
            lineNumber++;
        } while (line.isBlank());
        return split(line);
    }

    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c != '\r') {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
