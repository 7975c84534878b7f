package dev.deepmatch.sources;

import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.sources.format.BadRows;
import dev.deepmatch.sources.format.EventFormat;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where plays come from, for every command that reads them ({@code replay}, {@code produce}, {@code
 * local}, {@code bench-pipeline}): a file ({@code --events FILE --format F}) or the generator (the
 * default).
 */
public final class SourceSettings {
    private SourceSettings() {}

    public static final Setting<Path> EVENTS =
            Setting.ofPath("events", "FILE")
                    .describedAs(
                            "a file of plays, read in stream order (without it: the generator)");

    public static final Setting<EventFormat> FORMAT =
            Setting.ofEnum("format", EventFormat.class, EventFormat.CSV)
                    .describedAs("format of the --events file (docs/REPLAY.md)");

    public static final Setting<Boolean> GENERATOR =
            Setting.ofBoolean("generator", false)
                    .describedAs("synthetic listeners (also what runs without --events)");

    public static final Setting<Long> GENERATOR_SEED =
            Setting.ofLong("generator-seed", 42L).describedAs("seed of the generator");

    public static final Setting<Integer> USERS =
            Setting.ofInt("users", 5_000)
                    .range(1, 100_000_000)
                    .describedAs("listeners of the generator");

    public static final Setting<Integer> TRACKS =
            Setting.ofInt("tracks", 10_000)
                    .range(2, 100_000_000)
                    .describedAs("catalogue of the generator");

    public static final Setting<Integer> STYLES =
            Setting.ofInt("styles", 20)
                    .range(1, 100_000)
                    .describedAs("latent styles of the generator's tracks and tastes");

    public static final Setting<Double> SKIP_BIAS =
            Setting.ofDouble("skip-bias", 0.0)
                    .range(-10.0, 10.0)
                    .describedAs(
                            "generator's log-odds added to skipping each play: above 0 more skips,"
                                    + " below 0 fewer");

    public static final Setting<Long> MAX_EVENTS =
            Setting.ofLong("max-events", null)
                    .atLeast(1)
                    .defaultShownAs("the whole file; no end for the generator")
                    .describedAs("stop after this many plays");

    public static final Setting<Double> RATE =
            Setting.ofDouble("rate", null)
                    .atLeast(0.0)
                    .defaultShownAs("0 for a file, 1000 for the generator")
                    .describedAs("plays per second to send; 0 sends as fast as possible");

    public static final Setting<EventTime> EVENT_TIME =
            Setting.ofEnum("event-time", EventTime.class, EventTime.SOURCE)
                    .describedAs(
                            "keep the source's event times, or stamp the wall clock at sending");

    /** What to read. */
    public static final List<Setting<?>> INPUT =
            List.of(
                    EVENTS,
                    FORMAT,
                    GENERATOR,
                    GENERATOR_SEED,
                    USERS,
                    TRACKS,
                    STYLES,
                    SKIP_BIAS,
                    MAX_EVENTS);

    /** How fast and with which times a producer sends what it reads. */
    public static final List<Setting<?>> PACING = List.of(RATE, EVENT_TIME);

    private static final List<Setting<?>> GENERATOR_ONLY =
            List.of(GENERATOR_SEED, USERS, TRACKS, STYLES, SKIP_BIAS);

    public static boolean fromFile(Settings s) {
        return s.get(EVENTS) != null;
    }

    /** Whether the source ends by itself or by --max-events. */
    public static boolean bounded(Settings s) {
        return fromFile(s) || s.get(MAX_EVENTS) != null;
    }

    /** At most this many plays: --max-events, or no limit. */
    public static long maxEvents(Settings s) {
        Long max = s.get(MAX_EVENTS);
        return max == null ? Long.MAX_VALUE : max;
    }

    /** Plays per second a producer sends; 0 as fast as possible. */
    public static double rate(Settings s) {
        Double rate = s.get(RATE);
        return rate != null ? rate : fromFile(s) ? 0 : 1000;
    }

    /**
     * The rules between the source settings, and that the file exists: checked before anything
     * starts, so a mistake is named at once.
     */
    public static void check(Settings s) {
        Path file = s.get(EVENTS);
        if (file == null) {
            if (s.isSet(FORMAT)) {
                throw new SettingException(FORMAT.name(), "--format needs --events FILE");
            }
            return;
        }
        if (s.get(GENERATOR)) {
            throw new SettingException(
                    GENERATOR.name(), "give either --events FILE or --generator, not both");
        }
        for (Setting<?> g : GENERATOR_ONLY) {
            if (s.isSet(g)) {
                throw new SettingException(
                        g.name(),
                        "--" + g.name() + " is a generator setting; --events reads a file");
            }
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new SettingException(
                    EVENTS.name(), "--events " + file + " is not a readable file");
        }
    }

    /** The generator's settings. */
    public static GeneratorConfig generator(Settings s) {
        return GeneratorConfig.builder()
                .seed(s.get(GENERATOR_SEED))
                .users(s.get(USERS))
                .tracks(s.get(TRACKS))
                .styles(s.get(STYLES))
                .skipBias(s.get(SKIP_BIAS))
                .build();
    }

    /** Opens the source the settings name; rows a file reader skips go to {@code bad}. */
    public static EventSource open(Settings s, BadRows bad) throws IOException {
        check(s);
        if (fromFile(s)) {
            return s.get(FORMAT).open(s.get(EVENTS), bad);
        }
        return new ListenerGenerator(generator(s));
    }
}
