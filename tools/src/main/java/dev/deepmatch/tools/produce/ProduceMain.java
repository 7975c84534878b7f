package dev.deepmatch.tools.produce;

import dev.deepmatch.job.JobSettings;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
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
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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
        BadRows bad = new BadRows(System.err, 20);
        try (EventSource source = SourceSettings.open(s, bad);
                KafkaProducer<byte[], byte[]> kafka =
                        createProducer(options.producerProperties())) {
            PlaybackProducer producer =
                    new PlaybackProducer(
                            kafka,
                            s.get(JobSettings.EVENTS_TOPIC),
                            encoder(),
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

    /** The job's own wire format, so a producer can never drift from what the job decodes. */
    public static Function<PlaybackEvent, byte[]> encoder() {
        return WireCodec.PLAYBACK_EVENT::encode;
    }

    /** Byte-array producer with sensible defaults for a steady stream, overridable by --kafka.*. */
    public static KafkaProducer<byte[], byte[]> createProducer(Properties properties) {
        Properties props = new Properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(properties);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
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
            return new Options(s, props);
        }
    }
}
