package dev.deepmatch.sources.format;

import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The file formats of plays; on command lines {@code csv}, {@code mssd-mini}, {@code mssd}, {@code
 * ratings}.
 */
public enum EventFormat {
    /** {@code user,item,ts,rate[,intent]}: {@link CsvPlayReader}. */
    CSV,
    /** The preprocessed Spotify sessions of {@code ../shared/data}: {@link MssdMiniReader}. */
    MSSD_MINI,
    /** Raw MSSD rows with all 21 columns: {@link MssdRawReader}. */
    MSSD,
    /** A rating log ({@code user,item,ts,rating}, or MovieLens'): {@link RatingsReader}. */
    RATINGS;

    /** Opens a file of this format; rows it cannot read go to {@code bad}. */
    public EventSource open(Path file, BadRows bad) throws IOException {
        return switch (this) {
            case CSV -> new CsvPlayReader(file, bad);
            case MSSD_MINI -> new MssdMiniReader(file, bad);
            case MSSD -> new MssdRawReader(file, bad);
            case RATINGS -> new RatingsReader(file, bad);
        };
    }
}
