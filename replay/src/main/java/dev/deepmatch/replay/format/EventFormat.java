package dev.deepmatch.replay.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The replay file formats, by their command-line names. */
public enum EventFormat {
    CSV("csv"),
    MSSD_MINI("mssd-mini"),
    MSSD("mssd");

    private final String cliName;

    EventFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** The format of a command-line name, or null. */
    public static EventFormat byName(String name) {
        for (EventFormat f : values()) {
            if (f.cliName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    public static String names() {
        return Arrays.stream(values()).map(EventFormat::cliName).collect(Collectors.joining("|"));
    }

    public PlayReader open(Path file, BadRows bad) throws IOException {
        return switch (this) {
            case CSV -> new CsvPlayReader(file, bad);
            case MSSD_MINI -> new MssdMiniReader(file, bad);
            case MSSD -> new MssdRawReader(file, bad);
        };
    }
}
