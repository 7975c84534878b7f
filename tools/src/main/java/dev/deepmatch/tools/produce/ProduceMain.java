package dev.deepmatch.tools.produce;

import dev.deepmatch.client.PlaybackEventProducer;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.KafkaSecrets;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.EventSource;
import dev.deepmatch.sources.SourceSettings;
import dev.deepmatch.sources.format.BadRows;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * {@code bin/learner produce}: a device-like producer of playback events to any Kafka cluster, from
 * a file or the generator, in the job's wire format.
 */
public final class ProduceMain {

    public static final CommandLine COMMAND =
            CommandLine.builder(
                            "produce",
                            "Sends plays to a Kafka topic as devices would: keyed by listener, in"
                                    + " the job's wire format, at a steady rate. Ends with"
                                    + " produced=N seconds=S events/s=R.")
                    .group(
                            "Kafka",
                            List.of(JobSettings.BOOTSTRAP_SERVERS, JobSettings.EVENTS_TOPIC))
                    .group("plays", SourceSettings.INPUT)
                    .group("producer", SourceSettings.PACING)
                    .passThrough(
                            "kafka.",
                            "any Kafka producer setting, e.g. --kafka.security.protocol SASL_SSL")
                    .build();

    private ProduceMain() {}

    public static void main(String[] argv) throws Exception {
        System.exit(run(argv));
    }

    /** Runs; returns the exit code: 0 done, 2 bad command line. */
    static int run(String[] argv) throws Exception {
        Options options;
        try {
            options = Options.parse(argv);
        } catch (UsageException e) {
            System.err.println("produce: " + e.getMessage());
            System.err.println("produce: --help lists the settings");
            return 2;
        }
        if (options == null) {
            System.out.print(COMMAND.usage());
            return 0;
        }
        Settings s = options.settings();
        PlaybackEventProducer plays;
        try {
            plays = createProducer(options.producerProperties(), s.get(JobSettings.EVENTS_TOPIC));
        } catch (IllegalArgumentException e) {
            // settings that contradict each other, which only Kafka's producer finds
            System.err.println("produce: " + e.getMessage());
            return 2;
        }
        BadRows bad = new BadRows(System.err, 20);
        try (PlaybackEventProducer kafka = plays;
                EventSource source = SourceSettings.open(s, bad)) {
            PlaybackProducer producer =
                    new PlaybackProducer(
                            kafka,
                            SourceSettings.rate(s),
                            SourceSettings.maxEvents(s),
                            s.get(SourceSettings.EVENT_TIME));
            Thread main = Thread.currentThread();
            Thread hook =
                    new Thread(
                            () -> {
                                producer.stop();
                                try {
                                    main.join(10_000);
                                } catch (InterruptedException ignored) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "produce-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.err.println(
                    "producing "
                            + source.describe()
                            + " to "
                            + s.get(JobSettings.EVENTS_TOPIC)
                            + " on "
                            + s.get(JobSettings.BOOTSTRAP_SERVERS));
            long start = System.nanoTime();
            long acked = producer.run(source);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "produced=%d seconds=%.1f events/s=%.0f%n", acked, seconds, acked / seconds);
            if (bad.total() > 0) {
                System.out.println(bad.summary());
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C arrived while finishing: the hook is already running
            }
        }
        return 0;
    }

    /**
     * The client's producer of plays, with its defaults ({@link PlaybackEventProducer#DEFAULTS}:
     * the one definition of a play producer's settings) overridden by {@code properties} (the
     * bootstrap servers and the --kafka.* settings).
     *
     * @throws IllegalArgumentException naming a setting the client refuses
     */
    public static PlaybackEventProducer createProducer(Properties properties, String topic) {
        return producerSettings(properties, topic).build();
    }

    private static PlaybackEventProducer.Builder producerSettings(
            Properties properties, String topic) {
        return PlaybackEventProducer.builder().topic(topic).properties(properties);
    }

    /** Parsed command line. */
    record Options(Settings settings, Properties producerProperties) {

        /** Null when the command line asks for help. */
        static Options parse(String[] argv) throws UsageException {
            CommandLine.Parsed parsed = COMMAND.parse(argv);
            if (parsed.help()) {
                return null;
            }
            Settings s = parsed.settings();
            try {
                SourceSettings.check(s);
            } catch (SettingException e) {
                throw new UsageException(e.getMessage());
            }
            Map<String, String> passthrough = parsed.prefixed("kafka.");
            for (String name : passthrough.keySet()) {
                if (!ProducerConfig.configNames().contains(name)) {
                    throw new UsageException(
                            "--kafka." + name + " is not a Kafka producer setting");
                }
            }
            try {
                KafkaSecrets.check("kafka.", passthrough);
            } catch (SettingException e) {
                throw new UsageException(e.getMessage());
            }
            Properties props = new Properties();
            props.putAll(passthrough);
            props.put(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.get(JobSettings.BOOTSTRAP_SERVERS));
            try {
                producerSettings(props, s.get(JobSettings.EVENTS_TOPIC)).config();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return new Options(s, props);
        }
    }
}
