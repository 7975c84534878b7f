package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepmatch.it.deploy.DeploymentFiles;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real Flink 2.2.1 session cluster: a JobManager and a TaskManager as
 * separate JVM processes, started as the distribution's scripts start them (memory from
 * BashJavaUtils, {@code --configDir}), with only the distribution's jars on their classpath (module
 * standalone-cluster) and the config.yaml lines and JVM options of docker-compose.yml. The jar is
 * uploaded and run through the REST API against the embedded broker; item vectors, a dead letter
 * and the Prometheus reporter's metrics come out. So the jar's own classes, Avro, RocksDB, the
 * Vector API module and the settings read from config.yaml work outside a MiniCluster.
 */
class StandaloneClusterITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String EVENTS = "playback-events";
    private static final String DEAD_LETTERS = "playback-events-dlq";
    private static final String VECTORS = "item-vectors";

    private final List<Process> processes = new ArrayList<>();
    private EmbeddedKafka kafka;

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theShadedJarRunsOnASessionClusterOfSeparateProcesses(@TempDir Path dir) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        Path jar = root.resolve("flink-jobs/target/flink-jobs-" + version + "-learner.jar");
        Path libClasspath = root.resolve("standalone-cluster/target/flink-lib.classpath");
        assertThat(jar).as("the shaded jar (mvn package of flink-jobs)").exists();
        assertThat(libClasspath).exists();
        String lib = Files.readString(libClasspath).trim();
        assertThat(lib).doesNotContain("deepmatch").doesNotContain("avro").doesNotContain("kafka");

        kafka = EmbeddedKafka.start();
        kafka.createTopic(EVENTS, 2);
        kafka.createTopic(DEAD_LETTERS, 1);
        kafka.createCompactedTopic(VECTORS, 1);
        kafka.createCompactedTopic(
                dev.deepmatch.job.JobSettings.USER_VECTORS_TOPIC.defaultValue(), 1);
        kafka.createTopic(dev.deepmatch.job.JobSettings.DELTAS_TOPIC.defaultValue(), 1);

        // config.yaml as in the compose file's image, with this machine's hosts, ports and paths
        Map<String, String> flinkConf =
                new LinkedHashMap<>(DeploymentFiles.composeFlinkProperties());
        int rest = freePort();
        flinkConf.put("jobmanager.rpc.address", "localhost");
        flinkConf.put("jobmanager.rpc.port", String.valueOf(freePort()));
        flinkConf.put("jobmanager.bind-host", "localhost");
        flinkConf.put("taskmanager.bind-host", "localhost");
        flinkConf.put("taskmanager.host", "localhost");
        flinkConf.put("rest.address", "localhost");
        flinkConf.put("rest.bind-address", "localhost");
        flinkConf.put("rest.port", String.valueOf(rest));
        flinkConf.put("jobmanager.memory.process.size", "1024m");
        flinkConf.put("taskmanager.memory.process.size", "2048m");
        flinkConf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        flinkConf.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        flinkConf.put("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toString());
        flinkConf.put("deepmatch.bootstrap-servers", kafka.bootstrapServers());
        // vectors are committed with checkpoints: a shorter interval than compose's, for the test
        flinkConf.put("deepmatch.checkpoint-interval", "2 s");
        assertThat(flinkConf)
                .as("the compose file's JVM options and reporter, used below")
                .containsKeys(
                        "env.java.opts.jobmanager",
                        "env.java.opts.taskmanager",
                        "metrics.reporter.prom.factory.class");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        StringBuilder yaml = new StringBuilder();
        flinkConf.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.name = File",
                        "appender.file.type = FILE",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d %-5p %c - %m%n",
                        ""));

        Path jmLog = dir.resolve("jobmanager.log");
        Path tmLog = dir.resolve("taskmanager.log");
        int jmMetrics = freePort();
        int tmMetrics = freePort();
        start(
                lib,
                conf,
                jmLog,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "GET_JM_RESOURCE_PARAMS",
                flinkConf.get("env.java.opts.jobmanager"),
                jmMetrics);
        start(
                lib,
                conf,
                tmLog,
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "GET_TM_RESOURCE_PARAMS",
                flinkConf.get("env.java.opts.taskmanager"),
                tmMetrics);

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + rest;
        awaitSlots(http, base, jmLog, tmLog);

        String jarId = upload(http, base, jar);
        JsonNode run =
                post(
                        http,
                        base + "/jars/" + jarId + "/run",
                        JSON.createObjectNode()
                                .put("entryClass", LearnerJob.class.getName())
                                .set(
                                        "programArgsList",
                                        JSON.valueToTree(
                                                List.of(
                                                        "--emission-interval", "1 s",
                                                        "--batch-max-delay", "200 ms",
                                                        // nd4j's natives from the job jar, in
                                                        // the TaskManager's user class loader
                                                        "--catalogue-products", "nd4j",
                                                        "--transactional-id-prefix",
                                                                "standalone-"
                                                                        + UUID.randomUUID()))));
        String jobId = run.path("jobid").asText();
        assertThat(jobId).as("run answered %s", run).isNotEmpty();

        int plays = 600;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            ListenerGenerator generator =
                    new ListenerGenerator(
                            GeneratorConfig.builder().seed(3).users(50).tracks(200).build());
            for (int i = 0; i < plays; i++) {
                PlaybackEvent e = generator.next();
                e.setEventTimeMillis(Instant.now());
                producer.send(
                        new ProducerRecord<>(
                                EVENTS,
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                WireCodec.PLAYBACK_EVENT.encode(e)));
            }
            producer.send(new ProducerRecord<>(EVENTS, "garbage".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }

        List<ConsumerRecord<byte[], byte[]>> vectors =
                TopicReader.readUntil(kafka, VECTORS, WAIT, r -> r.size() >= 20);
        assertThat(vectors)
                .as("committed item vectors; job %s; TaskManager log:\n%s", jobId, tail(tmLog))
                .hasSizeGreaterThanOrEqualTo(20);
        for (ConsumerRecord<byte[], byte[]> r : vectors) {
            ItemVector v = WireCodec.ITEM_VECTOR.decode(r.value());
            assertThat(v.getVector()).hasSize(64 + 64); // hidden + successor-dim, the defaults
            assertThat(v.getModelVersion()).isPositive();
        }
        List<ConsumerRecord<byte[], byte[]>> letters =
                TopicReader.readUntil(kafka, DEAD_LETTERS, WAIT, r -> !r.isEmpty());
        assertThat(letters).hasSize(1);
        DeadLetter letter = WireCodec.DEAD_LETTER.decode(letters.get(0).value());
        assertThat(letter.getReason()).isEqualTo("UNDECODABLE");

        String tm = Files.readString(tmLog);
        assertThat(tm)
                .as("the TaskManager runs the vector kernels (--add-modules jdk.incubator.vector)")
                .doesNotContain("scalar matrix kernels");
        assertThat(tm)
                .as("nd4j loaded from the shaded jar (it ranked every batch)")
                .contains("Loaded [CpuBackend] backend")
                .doesNotContain("ranking runs on the Java kernel");
        assertThat(tm).contains("RocksDB");
        JsonNode job = get(http, base + "/jobs/" + jobId);
        assertThat(job.path("state").asText()).isEqualTo("RUNNING");
        // the settings from config.yaml reached the job: shown as its global parameters
        JsonNode config = get(http, base + "/jobs/" + jobId + "/config");
        assertThat(config.toString()).contains("\"checkpoint-interval\":\"2 s\"");
        // the reporter of the compose file serves the learner's metrics from the TaskManager
        String scraped =
                http.send(
                                HttpRequest.newBuilder(URI.create("http://localhost:" + tmMetrics))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        assertThat(scraped)
                .contains("flink_taskmanager_job_task_operator_" + LearnerMetrics.MODEL_VERSION)
                .contains("job_name=\"deepmatch_learner\"");
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /**
     * Starts a Flink entrypoint as bin/jobmanager.sh and bin/taskmanager.sh do: the image's Java 17
     * options ({@code env.java.opts.all}) and the process's own; its reporter port as a dynamic
     * property, since both processes share a host here.
     */
    private void start(
            String lib,
            Path conf,
            Path log,
            String mainClass,
            String resources,
            String javaOpts,
            int metricsPort)
            throws Exception {
        List<String> jvm = resourceParams(lib, conf, resources);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(jvm.get(0).split(" ")));
        cmd.addAll(Arrays.asList(System.getProperty("flink.java17.opens", "").split(" ")));
        cmd.addAll(Arrays.asList(javaOpts.split(" ")));
        cmd.add("-Dlog.file=" + log);
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(lib);
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(Arrays.asList(jvm.get(1).split(" ")));
        cmd.add("-D");
        cmd.add("metrics.reporter.prom.port=" + metricsPort);
        cmd.removeIf(String::isBlank);
        processes.add(
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
                        .start());
    }

    /** The JVM options and dynamic properties BashJavaUtils computes from config.yaml. */
    private static List<String> resourceParams(String lib, Path conf, String which)
            throws Exception {
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                lib,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                which,
                                "-c",
                                conf.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> results = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^BASH_JAVA_UTILS_EXEC_RESULT:(.*)$").matcher(out);
        while (m.find()) {
            results.add(m.group(1).trim());
        }
        assertThat(results).as(out).hasSize(2);
        return results;
    }

    private void awaitSlots(HttpClient http, String base, Path jmLog, Path tmLog) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                assertThat(p.isAlive())
                        .as("a cluster process ended:\n%s\n%s", tail(jmLog), tail(tmLog))
                        .isTrue();
            }
            try {
                if (get(http, base + "/overview").path("slots-total").asInt() >= 2) {
                    return;
                }
            } catch (IOException notYet) {
                // the JobManager is still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no TaskManager registered:\n" + tail(jmLog) + "\n" + tail(tmLog));
    }

    private static String upload(HttpClient http, String base, Path jar) throws Exception {
        String boundary = "----deepmatch" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\";"
                                + " filename=\"deepmatch-learner.jar\"\r\nContent-Type:"
                                + " application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(
                                        HttpRequest.BodyPublishers.concat(
                                                HttpRequest.BodyPublishers.ofByteArray(head),
                                                HttpRequest.BodyPublishers.ofFile(jar),
                                                HttpRequest.BodyPublishers.ofByteArray(tail)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String file = JSON.readTree(r.body()).path("filename").asText();
        return Path.of(file).getFileName().toString();
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static JsonNode post(HttpClient http, String url, JsonNode body) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s answered %s", url, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no " + log.getFileName() + ")";
            }
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
