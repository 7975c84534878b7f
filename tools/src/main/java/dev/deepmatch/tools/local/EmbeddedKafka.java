package dev.deepmatch.tools.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker running in this JVM in KRaft mode (combined broker and
 * controller), for {@code bin/learner local} and the integration tests.
 *
 * <p>Every internal topic runs with replication factor 1 so that transactions (the job's
 * exactly-once vector sink) and consumer groups work on one node, and the broker's maximum
 * transaction timeout is raised to one hour, the Flink Kafka sink's default.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Largest {@code transaction.timeout.ms} a producer may ask for. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = Duration.ofHours(1).toMillis();

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean deleteLogDirOnClose;
    private final int port;
    private final int saslPort;
    private boolean closed;

    private EmbeddedKafka(
            KafkaRaftServer server,
            Path logDir,
            boolean deleteLogDirOnClose,
            int port,
            int saslPort) {
        this.server = server;
        this.logDir = logDir;
        this.deleteLogDirOnClose = deleteLogDirOnClose;
        this.port = port;
        this.saslPort = saslPort;
    }

    /**
     * The SASL_PLAINTEXT (SCRAM-SHA-512) listener of a broker built with {@link Builder#scramUser};
     * the plain listener of {@link #bootstrapServers()} stays for setting up.
     */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return HOST + ":" + saslPort;
    }

    /** Starts a broker on a free port with a temporary log directory removed on close. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    /** Client properties pointing at this broker, e.g. as the base of a producer's config. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates a topic (delete retention), doing nothing if it already exists. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a log-compacted topic, as read by index builders that keep only the latest value per
     * key.
     */
    public void createCompactedTopic(String name, int partitions) {
        createTopic(
                name,
                partitions,
                Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** Creates a topic with the given topic-level configs; an existing topic is left as it is. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "partitions of topic '" + name + "' must be >= 1, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(topic))
                    .all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic '" + name + "'", e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "creating topic '" + name + "' timed out after " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        }
    }

    /** Records in a topic: the sum of its partitions' end offsets. */
    public long recordsIn(String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic)
                    .partitions()
                    .forEach(
                            p ->
                                    latest.put(
                                            new TopicPartition(topic, p.partition()),
                                            OffsetSpec.latest()));
            return admin
                    .listOffsets(latest)
                    .all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .values()
                    .stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the end offsets of '" + topic + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while reading offsets of '" + topic + "'", e);
        }
    }

    /**
     * Every committed record of a topic now, as an index builder would read it: read_committed,
     * each partition from its beginning to its last stable offset, no consumer group.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Properties props = clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read '" + topic + "' to its end within " + ADMIN_TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Stops the broker (broker first, then controller) and removes a temporary log directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteLogDirOnClose) {
                deleteRecursively(logDir);
            }
        }
        LOG.info("Embedded Kafka on {} stopped", bootstrapServers());
    }

    /** Settings of an embedded broker. */
    public static final class Builder {
        private int port;
        private Path logDir;
        private final Map<String, String> overrides = new HashMap<>();
        private String scramUser;
        private String scramPassword;

        private Builder() {}

        /**
         * Adds a SASL_PLAINTEXT listener with SCRAM-SHA-512 ({@link #saslBootstrapServers()}) and
         * this user on it.
         */
        public Builder scramUser(String user, String password) {
            this.scramUser = Objects.requireNonNull(user, "user");
            this.scramPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Client port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "Kafka port must be in [0, 65535] (0 = any free port), got " + port);
            }
            this.port = port;
            return this;
        }

        /** Log directory to use and keep; by default a temporary one removed on close. */
        public Builder logDir(Path logDir) {
            this.logDir = Objects.requireNonNull(logDir, "logDir");
            return this;
        }

        /** Any broker setting, applied last. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafka start() {
            boolean temporary = logDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("embedded-kafka-") : logDir;
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the Kafka log directory", e);
            }
            int clientPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            int saslPort = scramUser == null ? 0 : freePort();
            Map<String, String> props = brokerConfig(dir, clientPort, controllerPort);
            if (saslPort != 0) {
                props.put("listeners", props.get("listeners") + ",SASL://" + HOST + ":" + saslPort);
                props.put(
                        "advertised.listeners",
                        props.get("advertised.listeners") + ",SASL://" + HOST + ":" + saslPort);
                props.put(
                        "listener.security.protocol.map",
                        props.get("listener.security.protocol.map") + ",SASL:SASL_PLAINTEXT");
                props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
                props.put(
                        "listener.name.sasl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            KafkaConfig config = new KafkaConfig(props);
            try {
                format(config, dir);
                KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                EmbeddedKafka kafka =
                        new EmbeddedKafka(server, dir, temporary, clientPort, saslPort);
                kafka.awaitReady();
                if (scramUser != null) {
                    kafka.addScramUser(scramUser, scramPassword);
                }
                LOG.info(
                        "Embedded Kafka listening on {}, logs in {}",
                        kafka.bootstrapServers(),
                        dir);
                return kafka;
            } catch (RuntimeException e) {
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw e;
            }
        }

        private Map<String, String> brokerConfig(Path dir, int clientPort, int controllerPort) {
            Map<String, String> props = new HashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", String.valueOf(NODE_ID));
            props.put(
                    "listeners",
                    "PLAINTEXT://"
                            + HOST
                            + ":"
                            + clientPort
                            + ",CONTROLLER://"
                            + HOST
                            + ":"
                            + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
            props.put("log.dirs", dir.toAbsolutePath().toString());
            // One node: every internal topic must fit on it.
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("transaction.max.timeout.ms", String.valueOf(MAX_TRANSACTION_TIMEOUT_MS));
            props.put("group.initial.rebalance.delay.ms", "0");
            // Topics are created explicitly; a typo in a topic name should fail, not create one.
            props.put("auto.create.topics.enable", "false");
            props.put("num.partitions", "1");
            props.put("log.cleaner.backoff.ms", "1000");
            props.putAll(overrides);
            return props;
        }
    }

    /** Writes meta.properties and the bootstrap metadata, like {@code kafka-storage format}. */
    private static void format(KafkaConfig config, Path dir) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return; // formatted by an earlier start: a restart on the same logs keeps them
        }
        try {
            new Formatter()
                    .setPrintStream(
                            new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setHasDynamicQuorum(false)
                    .setIgnoreFormatted(true)
                    .addDirectory(dir.toAbsolutePath().toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "formatting the Kafka log directory " + dir + " failed", e);
        }
    }

    private void addScramUser(String user, String password) {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            user,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, 8192),
                                            password)))
                    .all()
                    .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // the credential is metadata: wait until the broker has applied it
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (admin.describeUserScramCredentials(List.of(user))
                    .all()
                    .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("SCRAM user " + user + " never appeared");
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot add the SCRAM user " + user, e);
        }
    }

    /** Waits until the broker answers metadata requests with itself as a live node. */
    private void awaitReady() {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "embedded Kafka did not become ready within " + ADMIN_TIMEOUT, e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}", dir, e);
        }
    }
}
