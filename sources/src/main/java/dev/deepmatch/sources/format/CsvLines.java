package dev.deepmatch.sources.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Line-numbered comma-separated rows with a header, one line in memory at a time. Fields may be
 * wrapped in double quotes ({@code ""} inside quotes is a quote); a quoted field cannot span lines,
 * which none of the supported formats need. Blank lines are ignored; a line that is not UTF-8 is
 * reported to {@link BadRows} and skipped.
 */
final class CsvLines implements Closeable {
    private final InputStream in;
    private final String source;
    private final BadRows bad;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private final Map<String, Integer> header = new HashMap<>();
    private final int headerWidth;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[256];
    private long lineNumber;

    CsvLines(Path file, BadRows bad) throws IOException {
        this.in = Files.newInputStream(file);
        this.source = file.getFileName().toString();
        this.bad = bad;
        String first;
        try {
            first = readLine();
        } catch (CharacterCodingException e) {
            in.close();
            throw new BadFileException(source + ": the header line is not UTF-8 text");
        }
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
        while (true) {
            String text;
            try {
                text = readLine();
            } catch (CharacterCodingException e) {
                lineNumber++;
                bad.skip(source, lineNumber, "not UTF-8", "");
                continue;
            }
            if (text == null) {
                return null;
            }
            lineNumber++;
            if (!text.isBlank()) {
                return split(text);
            }
        }
    }

    /**
     * The next line without its terminator, or null at the end of the file. Lines are decoded one
     * at a time, so one badly encoded line costs only that line.
     */
    private String readLine() throws IOException {
        int length = 0;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    return length == 0 ? null : decode(length);
                }
            }
            byte b = chunk[chunkPos++];
            if (b == '\n') {
                return decode(length);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, length * 2);
            }
            line[length++] = b;
        }
    }

    private String decode(int length) throws CharacterCodingException {
        return utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
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
