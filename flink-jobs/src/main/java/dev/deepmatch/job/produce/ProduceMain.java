package dev.deepmatch.job.produce;

import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.job.codec.PlaybackEventCodec;
import dev.deepmatch.schema.PlaybackEvent;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bin/learner produce}: a device-like producer of playback events to any Kafka cluster, from
 * a replay file or the generator, Avro-encoded as the job decodes them.
 */
public final class ProduceMain {

    static final String USAGE =
            """
            usage: bin/learner produce --bootstrap-servers HOST:PORT [options]
              --topic NAME         (default playback-events)
            """
                    + SourceOptions.USAGE
                    + """

              --kafka.<name> V     any Kafka producer setting, e.g. --kafka.security.protocol SASL_SSL
            """;

    private ProduceMain() {}

    public static void main(String[] argv) throws Exception {
        Options options;
        try {
            CliArgs args = CliArgs.parse(argv, Set.of("generator", "help"));
            if (args.flag("help")) {
                System.out.println(USAGE);
                return;
            }
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("produce: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        try (EventSource source = options.source().open();
                KafkaProducer<byte[], byte[]> kafka =
                        createProducer(options.producerProperties())) {
            PlaybackProducer producer =
                    new PlaybackProducer(
                            kafka,
                            options.topic(),
                            encoder(),
                            options.source().eventsPerSecond(),
                            options.source().maxEvents(),
                            options.source().eventTime());
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
                            + options.topic()
                            + " on "
                            + options.producerProperties()
                                    .get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
            long start = System.nanoTime();
            long acked = producer.run(source);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "produced=%d seconds=%.1f events/s=%.0f%n", acked, seconds, acked / seconds);
            if (source instanceof FileEventSource file && file.badRows().total() > 0) {
                System.out.println(file.badRows().summary());
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C arrived while finishing: the hook is already running
            }
        }
    }

    /** The job's own encoding, so a producer can never drift from what the job decodes. */
    public static Function<PlaybackEvent, byte[]> encoder() {
        return PlaybackEventCodec::encode;
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
    record Options(String topic, Properties producerProperties, SourceOptions source) {

        static Options parse(CliArgs args) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.required("bootstrap-servers"));
            String topic = args.string("topic", "playback-events");
            Map<String, String> passthrough = args.withPrefix("kafka.");
            for (String name : passthrough.keySet()) {
                if (!ProducerConfig.configNames().contains(name)) {
                    throw new IllegalArgumentException(
                            "--kafka." + name + " is not a Kafka producer setting");
                }
            }
            props.putAll(passthrough);
            SourceOptions source = SourceOptions.parse(args);
            args.rejectRemaining();
            return new Options(topic, props, source);
        }
    }
}
