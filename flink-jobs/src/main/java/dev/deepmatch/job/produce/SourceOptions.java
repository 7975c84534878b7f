package dev.deepmatch.job.produce;

import dev.deepmatch.generator.GeneratorConfig;
import dev.deepmatch.generator.ListenerGenerator;
import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.replay.format.BadRows;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The event-source options shared by {@code produce} and {@code local}: {@code --events FILE
 * --format F} or {@code --generator} with its settings, plus {@code --rate}, {@code --max-events}
 * and {@code --event-time}.
 */
public record SourceOptions(
        Path eventsFile,
        String format,
        GeneratorConfig generator,
        double eventsPerSecond,
        long maxEvents,
        PlaybackProducer.EventTime eventTime) {

    public static final String USAGE =
            """
              --events FILE --format csv|mssd-mini|mssd   replay a file in stream order, or
              --generator                                 synthetic listeners (the default)
                  --generator-seed N (42) --users N (5000) --tracks N (10000) --styles N (20)
              --rate R             events/s to send; 0 = as fast as possible
                                   (default: 0 for a file, 1000 for the generator)
              --max-events N       stop after N events (default: the whole file; no limit for
                                   the generator)
              --event-time source|now   keep the source's event times (default) or stamp the
                                   wall clock at sending""";

    /** Takes the source options out of {@code args}. */
    public static SourceOptions parse(CliArgs args) {
        boolean generatorFlag = args.flag("generator");
        String file = args.string("events", null);
        if (file != null && generatorFlag) {
            throw new IllegalArgumentException(
                    "give either --events FILE or --generator, not both");
        }
        String format = null;
        GeneratorConfig generator = null;
        if (file != null) {
            format = args.required("format");
        } else {
            if (args.has("format")) {
                throw new IllegalArgumentException("--format needs --events FILE");
            }
            generator =
                    GeneratorConfig.builder()
                            .seed(
                                    args.longValue(
                                            "generator-seed", 42, Long.MIN_VALUE, Long.MAX_VALUE))
                            .users(args.intValue("users", 5_000, 1, 100_000_000))
                            .tracks(args.intValue("tracks", 10_000, 2, 100_000_000))
                            .styles(args.intValue("styles", 20, 1, 100_000))
                            .build();
        }
        double rate = args.doubleValue("rate", file != null ? 0 : 1000, 0, 10_000_000);
        long maxEvents = args.longValue("max-events", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        String time = args.string("event-time", "source");
        PlaybackProducer.EventTime eventTime =
                switch (time) {
                    case "source" -> PlaybackProducer.EventTime.SOURCE;
                    case "now" -> PlaybackProducer.EventTime.NOW;
                    default ->
                            throw new IllegalArgumentException(
                                    "--event-time must be source or now, got '" + time + "'");
                };
        return new SourceOptions(
                file == null ? null : Path.of(file), format, generator, rate, maxEvents, eventTime);
    }

    public boolean fromFile() {
        return eventsFile != null;
    }

    /** Opens the source; rows a file reader skips are reported on stderr (the first 20). */
    public EventSource open() throws IOException {
        if (fromFile()) {
            return FileEventSource.open(eventsFile, format, new BadRows(System.err, 20));
        }
        return new GeneratorEventSource(new ListenerGenerator(generator));
    }
}
