package dev.deepmatch.it.deploy;

import static dev.deepmatch.it.deploy.DeploymentFiles.JSON;
import static dev.deepmatch.it.deploy.DeploymentFiles.read;
import static dev.deepmatch.it.deploy.DeploymentFiles.root;
import static dev.deepmatch.it.deploy.DeploymentFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.tools.produce.ProduceMain;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The deployment files (Dockerfile, docker-compose.yml, k8s/, deploy/) against the schemas of what
 * reads them (CRDs, the Compose specification, in ../shared/k8s-schemas) and against what the job
 * declares: topics, settings, ports, the jar and its main class, metric names. A typo in any of
 * them fails here, not on a cluster.
 */
class DeploymentFilesTest {

    /** The CRD file and served version of each custom kind the manifests use. */
    private static final Map<String, String[]> CRDS =
            Map.of(
                    "FlinkDeployment",
                    new String[] {"flinkdeployments.flink.apache.org-v1.yml", "v1beta1"},
                    "Kafka",
                    new String[] {"strimzi-1.2.0-040-Crd-kafka.yaml", "v1"},
                    "KafkaTopic",
                    new String[] {"strimzi-1.2.0-043-Crd-kafkatopic.yaml", "v1"},
                    "KafkaNodePool",
                    new String[] {"strimzi-1.2.0-045-Crd-kafkanodepool.yaml", "v1"},
                    "PodMonitor",
                    new String[] {"prometheus-operator-v0.93.0-podmonitors.yaml", "v1"},
                    "PrometheusRule",
                    new String[] {"prometheus-operator-v0.93.0-prometheusrules.yaml", "v1"});

    /** Fields each core kind may have at the top and in its spec: a shape, not the full API. */
    private static final Map<String, Set<String>> CORE_SPEC_FIELDS =
            Map.of(
                    "Namespace", Set.of(),
                    "PersistentVolumeClaim", Set.of("accessModes", "resources", "storageClassName"),
                    "Deployment", Set.of("replicas", "selector", "template", "strategy"));

    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    private static final String JOB = "flink_jobmanager_job_";

    /** Flink's own metrics the dashboard and the alerts read (the reporter's names). */
    private static final Set<String> FLINK_OPERATOR_METRICS = Set.of("pendingRecords");

    private static final Set<String> FLINK_JOB_METRICS =
            Set.of(
                    "uptime",
                    "numRestarts",
                    "lastCheckpointDuration",
                    "lastCheckpointSize",
                    "lastCheckpointCompletedTimestamp",
                    "numberOfFailedCheckpoints");

    // ------------------------------------------------------------------------------------------
    //  Schemas
    // ------------------------------------------------------------------------------------------

    @Test
    void everyManifestValidatesAgainstItsSchemaWithUnknownFieldsRejected() throws Exception {
        List<JsonNode> docs = DeploymentFiles.k8sManifests();
        Set<String> kinds = new LinkedHashSet<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            kinds.add(kind);
            assertThat(problems(doc)).as("%s %s", kind, doc.at("/metadata/name")).isEmpty();
        }
        assertThat(kinds)
                .contains(
                        "Namespace",
                        "KafkaNodePool",
                        "Kafka",
                        "KafkaTopic",
                        "PersistentVolumeClaim",
                        "FlinkDeployment",
                        "Deployment",
                        "PodMonitor",
                        "PrometheusRule");
    }

    /** What the check exists for: a misspelled field, a wrong type, a missing requirement. */
    @Test
    void aTypoInAManifestIsAnError() throws Exception {
        JsonNode flink = manifest("FlinkDeployment", "deepmatch-learner");
        ObjectNode typo = flink.deepCopy();
        ObjectNode job = (ObjectNode) typo.path("spec").path("job");
        job.set("jarUri", job.remove("jarURI"));
        assertThat(problems(typo))
                .anySatisfy(p -> assertThat(p).contains(".spec.job.jarUri: unknown field"));

        ObjectNode version = flink.deepCopy();
        ((ObjectNode) version.path("spec")).put("flinkVersion", "v2_9");
        assertThat(problems(version)).anySatisfy(p -> assertThat(p).contains("flinkVersion"));

        ObjectNode port = flink.deepCopy();
        ((ObjectNode) port.at("/spec/podTemplate/spec/containers/0/ports/0"))
                .put("containerPort", "metrics");
        assertThat(problems(port)).anySatisfy(p -> assertThat(p).contains("containerPort"));

        ObjectNode topic = manifest("KafkaTopic", "item-vectors").deepCopy();
        ((ObjectNode) topic.path("spec")).put("partition", 6);
        assertThat(problems(topic))
                .anySatisfy(p -> assertThat(p).contains(".spec.partition: unknown field"));

        ObjectNode kafka = manifest("Kafka", "deepmatch").deepCopy();
        ((ObjectNode) kafka.at("/spec/kafka/listeners/0")).remove("tls");
        assertThat(problems(kafka)).anySatisfy(p -> assertThat(p).contains("required field tls"));
    }

    @Test
    void theComposeFileValidatesAgainstTheComposeSpecification() {
        JsonSchema spec = composeSpec();
        JsonNode compose = yaml(root().resolve("docker-compose.yml"));
        assertThat(spec.validate(compose)).isEmpty();

        ObjectNode typo = compose.deepCopy();
        ObjectNode kafka = (ObjectNode) typo.path("services").path("kafka");
        kafka.set("imag", kafka.remove("image"));
        Set<ValidationMessage> errors = spec.validate(typo);
        assertThat(errors).isNotEmpty();
        assertThat(errors.toString()).contains("imag");
    }

    private static JsonSchema composeSpec() {
        try {
            ObjectNode schema =
                    (ObjectNode)
                            JSON.readTree(
                                    Files.readString(
                                            DeploymentFiles.schemas()
                                                    .resolve("compose-spec.json")));
            // a bare file name, which the validator does not take as a base URI
            schema.remove("$id");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> problems(JsonNode doc) {
        String kind = doc.path("kind").asText();
        String[] crd = CRDS.get(kind);
        if (crd != null) {
            String apiVersion = doc.path("apiVersion").asText();
            assertThat(apiVersion).as(kind).endsWith("/" + crd[1]);
            return StructuralSchema.validate(DeploymentFiles.crdSchema(crd[0], crd[1]), doc);
        }
        return coreShape(doc);
    }

    /** Namespace, PersistentVolumeClaim and Deployment: their fields, and pinned images. */
    private static List<String> coreShape(JsonNode doc) {
        List<String> out = new ArrayList<>();
        String kind = doc.path("kind").asText();
        Set<String> spec = CORE_SPEC_FIELDS.get(kind);
        if (spec == null) {
            out.add("no schema or shape for kind " + kind);
            return out;
        }
        Map<String, String> apiVersions =
                Map.of("Namespace", "v1", "PersistentVolumeClaim", "v1", "Deployment", "apps/v1");
        if (!apiVersions.get(kind).equals(doc.path("apiVersion").asText())) {
            out.add(kind + ": apiVersion must be " + apiVersions.get(kind));
        }
        doc.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(f)) {
                                out.add("." + f + ": unknown field");
                            }
                        });
        if (doc.path("metadata").path("name").asText().isEmpty()) {
            out.add(".metadata.name is missing");
        }
        doc.path("spec")
                .fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!spec.contains(f)) {
                                out.add(".spec." + f + ": unknown field");
                            }
                        });
        if (kind.equals("Deployment")) {
            JsonNode labels = doc.at("/spec/template/metadata/labels");
            doc.at("/spec/selector/matchLabels")
                    .fields()
                    .forEachRemaining(
                            e -> {
                                if (!e.getValue().equals(labels.get(e.getKey()))) {
                                    out.add("the selector does not select the pod template");
                                }
                            });
            for (JsonNode c : doc.at("/spec/template/spec/containers")) {
                if (c.path("name").asText().isEmpty() || c.path("image").asText().isEmpty()) {
                    out.add("a container without name or image");
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    //  Cross-checks with what the job declares
    // ------------------------------------------------------------------------------------------

    @Test
    void theTopicsAreTheJobsWithItsSettings() throws Exception {
        Set<String> defaults =
                Set.of(
                        JobSettings.EVENTS_TOPIC.defaultValue(),
                        JobSettings.DEAD_LETTER_TOPIC.defaultValue(),
                        JobSettings.VECTORS_TOPIC.defaultValue(),
                        JobSettings.USER_VECTORS_TOPIC.defaultValue(),
                        JobSettings.DELTAS_TOPIC.defaultValue());
        Map<String, JsonNode> topics = new HashMap<>();
        for (JsonNode doc : DeploymentFiles.k8sManifests()) {
            if (doc.path("kind").asText().equals("KafkaTopic")) {
                topics.put(doc.at("/metadata/name").asText(), doc.path("spec"));
                assertThat(doc.at("/metadata/labels/strimzi.io~1cluster").asText())
                        .isEqualTo(manifest("Kafka", "deepmatch").at("/metadata/name").asText());
            }
        }
        assertThat(topics.keySet()).isEqualTo(defaults);
        assertThat(
                        topics.get(JobSettings.VECTORS_TOPIC.defaultValue())
                                .at("/config/cleanup.policy")
                                .asText())
                .isEqualTo("compact");
        assertThat(
                        topics.get(JobSettings.USER_VECTORS_TOPIC.defaultValue())
                                .at("/config/cleanup.policy")
                                .asText())
                .isEqualTo("compact");
        assertThat(
                        topics.get(JobSettings.EVENTS_TOPIC.defaultValue())
                                .at("/config/message.timestamp.type")
                                .asText())
                .as("plays stamped on arrival, where freshness is measured from")
                .isEqualTo("LogAppendTime");

        String init =
                yaml(root().resolve("docker-compose.yml"))
                        .at("/services/kafka-init/command/0")
                        .asText();
        Matcher created = Pattern.compile("--create --if-not-exists --topic (\\S+)").matcher(init);
        Set<String> composeTopics = new LinkedHashSet<>();
        while (created.find()) {
            composeTopics.add(created.group(1));
        }
        assertThat(composeTopics).isEqualTo(defaults);
        assertThat(init)
                .contains(
                        "--topic "
                                + JobSettings.VECTORS_TOPIC.defaultValue()
                                + " --partitions 2 --replication-factor 1 --config"
                                + " cleanup.policy=compact")
                .contains(
                        "--topic "
                                + JobSettings.EVENTS_TOPIC.defaultValue()
                                + " --partitions 4 --replication-factor 1 --config"
                                + " message.timestamp.type=LogAppendTime");
    }

    /** The job's settings in each place they are given are settings it knows, with valid values. */
    @Test
    void theJobsSettingsAreOnesItDeclaresWithValuesItAccepts() throws Exception {
        // docker-compose: config.yaml lines (FLINK_PROPERTIES) and the job's arguments
        JsonNode compose = yaml(root().resolve("docker-compose.yml"));
        Map<String, String> composeConf = DeploymentFiles.composeFlinkProperties();
        assertThat(compose.at("/services/taskmanager/environment/FLINK_PROPERTIES"))
                .isEqualTo(compose.at("/services/jobmanager/environment/FLINK_PROPERTIES"));
        List<String> command = strings(compose.at("/services/jobmanager/command"));
        assertThat(command.subList(0, 3))
                .containsExactly("standalone-job", "--job-classname", LearnerJob.class.getName());
        JobConfig fromCompose =
                JobConfig.parse(
                        command.subList(3, command.size()).toArray(new String[0]),
                        Configuration.fromMap(composeConf));
        assertThat(fromCompose.get(JobSettings.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");

        // k8s: flinkConfiguration and job.args
        JsonNode flink = manifest("FlinkDeployment", "deepmatch-learner");
        Map<String, String> k8sConf = new LinkedHashMap<>();
        flink.at("/spec/flinkConfiguration")
                .fields()
                .forEachRemaining(e -> k8sConf.put(e.getKey(), e.getValue().asText()));
        JobConfig fromK8s =
                JobConfig.parse(
                        strings(flink.at("/spec/job/args")).toArray(new String[0]),
                        Configuration.fromMap(k8sConf));
        assertThat(fromK8s.get(JobSettings.BOOTSTRAP_SERVERS))
                .isEqualTo(
                        manifest("Kafka", "deepmatch").at("/metadata/name").asText()
                                + "-kafka-bootstrap:9094");
        assertThat(flink.at("/spec/job/entryClass").asText()).isEqualTo(LearnerJob.class.getName());

        // the producers' arguments
        CommandLine produce = ProduceMain.COMMAND;
        produce.parse(strings(compose.at("/services/producer/command")).toArray(new String[0]));
        produce.parse(
                strings(
                                manifest("Deployment", "deepmatch-producer")
                                        .at("/spec/template/spec/containers/0/args"))
                        .toArray(new String[0]));

        for (Map<String, String> conf : List.of(composeConf, k8sConf)) {
            // One token each (the image's entrypoint strips spaces from FLINK_PROPERTIES), and
            // not env.java.opts.all, which would drop the image's Java 17 --add-opens.
            assertThat(conf.get("env.java.opts.taskmanager"))
                    .isEqualTo("--add-modules=jdk.incubator.vector");
            assertThat(conf.get("env.java.opts.jobmanager"))
                    .isEqualTo("--add-modules=jdk.incubator.vector");
            assertThat(conf).doesNotContainKey("env.java.opts.all");
            assertThat(conf.get("metrics.reporter.prom.factory.class"))
                    .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        }
    }

    @Test
    void theJarPathPortsAndMetricsEndpointsAgree() throws Exception {
        String dockerfile = read(root().resolve("Dockerfile"));
        Matcher copy = Pattern.compile("(/opt/flink/usrlib/\\S+\\.jar)").matcher(dockerfile);
        assertThat(copy.find()).as("the Dockerfile puts the job jar in usrlib").isTrue();
        JsonNode flink = manifest("FlinkDeployment", "deepmatch-learner");
        assertThat(flink.at("/spec/job/jarURI").asText()).isEqualTo("local://" + copy.group(1));
        assertThat(dockerfile).contains("flink-jobs-*-learner.jar " + "/out/deepmatch-learner.jar");

        String promPort = flink.at("/spec/flinkConfiguration/metrics.reporter.prom.port").asText();
        JsonNode port = flink.at("/spec/podTemplate/spec/containers/0/ports/0");
        assertThat(port.path("containerPort").asText()).isEqualTo(promPort);
        assertThat(
                        manifest("PodMonitor", "deepmatch-learner")
                                .at("/spec/podMetricsEndpoints/0/port")
                                .asText())
                .isEqualTo(port.path("name").asText());
        assertThat(manifest("PodMonitor", "deepmatch-learner").at("/spec/selector/matchLabels"))
                .isEqualTo(flink.at("/spec/podTemplate/metadata/labels"));

        JsonNode compose = yaml(root().resolve("docker-compose.yml"));
        Map<String, String> conf = DeploymentFiles.composeFlinkProperties();
        JsonNode prometheus = yaml(root().resolve("deploy/prometheus/prometheus.yml"));
        assertThat(strings(prometheus.at("/scrape_configs/0/static_configs/0/targets")))
                .containsExactlyInAnyOrder(
                        "jobmanager:" + conf.get("metrics.reporter.prom.port"),
                        "taskmanager:" + conf.get("metrics.reporter.prom.port"));
        assertThat(strings(compose.at("/services/jobmanager/ports"))).contains("8081:8081");
    }

    @Test
    void everyImageIsPinnedToAnExactTag() throws Exception {
        List<String> images = new ArrayList<>();
        yaml(root().resolve("docker-compose.yml"))
                .path("services")
                .forEach(s -> images.add(s.path("image").asText()));
        for (JsonNode doc : DeploymentFiles.k8sManifests()) {
            if (doc.has("spec") && doc.path("spec").has("image")) {
                images.add(doc.at("/spec/image").asText());
            }
            for (JsonNode c : doc.at("/spec/template/spec/containers")) {
                images.add(c.path("image").asText());
            }
        }
        Matcher from =
                Pattern.compile("(?m)^FROM (\\S+)").matcher(read(root().resolve("Dockerfile")));
        while (from.find()) {
            images.add(from.group(1));
        }
        assertThat(images).hasSizeGreaterThan(8);
        for (String image : images) {
            assertThat(image)
                    .as("pinned image")
                    .matches("[a-z0-9./-]+:[A-Za-z0-9._-]*[0-9][A-Za-z0-9._-]*")
                    .doesNotContain(":latest");
        }
    }

    @Test
    void noSecretIsWrittenIntoTheManifests() throws Exception {
        for (JsonNode doc : DeploymentFiles.k8sManifests()) {
            String text = doc.toString();
            assertThat(text)
                    .doesNotContainIgnoringCase("password=")
                    .doesNotContain("ScramLoginModule required");
            if (doc.path("kind").asText().equals("FlinkDeployment")) {
                List<String> args = strings(doc.at("/spec/job/args"));
                assertThat(args.get(args.indexOf("--kafka.sasl.jaas.config") + 1))
                        .as("the credentials come from a Secret through an environment variable")
                        .isEqualTo("${env:KAFKA_SASL_JAAS_CONFIG}");
                assertThat(
                                doc.at(
                                                "/spec/podTemplate/spec/containers/0/env/0/valueFrom/secretKeyRef/name")
                                        .asText())
                        .isNotEmpty();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    //  Dashboard and alerts
    // ------------------------------------------------------------------------------------------

    @Test
    void theAlertRulesAreTheSameForPrometheusAndTheOperator() throws Exception {
        JsonNode rules = yaml(root().resolve("deploy/prometheus/learner-rules.yml"));
        assertThat(manifest("PrometheusRule", "deepmatch-learner").path("spec")).isEqualTo(rules);
        Set<String> alerts = new LinkedHashSet<>();
        rules.at("/groups/0/rules").forEach(r -> alerts.add(r.path("alert").asText()));
        assertThat(alerts)
                .containsExactly(
                        "DeepMatchJobNotRunning",
                        "DeepMatchJobRestarting",
                        "DeepMatchPos10Dropped",
                        "DeepMatchFreshnessHigh",
                        "DeepMatchConsumerLagGrowing",
                        "DeepMatchCheckpointsFailing");
        String docs = read(root().resolve("docs/DEPLOY.md"));
        alerts.forEach(a -> assertThat(docs).as("docs/DEPLOY.md explains %s", a).contains(a));
    }

    /** The names the dashboard and the alerts read are the job's (a renamed metric fails here). */
    @Test
    void theDashboardAndTheAlertsReadMetricsTheJobPublishes() throws Exception {
        Set<String> learner = learnerMetricNames();
        Set<String> used = new LinkedHashSet<>();
        used.addAll(DeploymentFiles.referencedMetrics(DeploymentFiles.dashboardExpressions()));
        used.addAll(DeploymentFiles.referencedMetrics(DeploymentFiles.ruleExpressions()));
        for (String name : used) {
            if (name.startsWith(OPERATOR)) {
                String metric = name.substring(OPERATOR.length());
                assertThat(
                                learner.contains(metric)
                                        || FLINK_OPERATOR_METRICS.contains(metric)
                                        || (metric.endsWith("_")
                                                && learner.contains(
                                                        metric.substring(0, metric.length() - 1))))
                        .as("%s is a metric of the job (LearnerMetrics) or of Flink", name)
                        .isTrue();
            } else {
                assertThat(name).startsWith(JOB);
                assertThat(FLINK_JOB_METRICS).contains(name.substring(JOB.length()));
            }
        }
        Set<String> dashboard =
                DeploymentFiles.referencedMetrics(DeploymentFiles.dashboardExpressions());
        for (String needed :
                List.of(
                        LearnerMetrics.POS10,
                        LearnerMetrics.NEG10,
                        LearnerMetrics.POSITIVE_LOSS,
                        LearnerMetrics.NEGATIVE_LOSS,
                        LearnerMetrics.EVENTS_IN,
                        LearnerMetrics.INVALID_EVENTS + "_",
                        "pendingRecords",
                        LearnerMetrics.VECTOR_FRESHNESS_MILLIS,
                        LearnerMetrics.MODEL_VERSION,
                        LearnerMetrics.VECTORS_EMITTED)) {
            assertThat(dashboard).as("the dashboard shows %s", needed).contains(OPERATOR + needed);
        }
        assertThat(dashboard).contains(JOB + "lastCheckpointDuration", JOB + "lastCheckpointSize");
    }

    @Test
    void theAlertRulesPassPromtoolWhereItExists() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                DeploymentFiles.onPath("promtool"), "promtool is not on the PATH: skipped");
        Process p =
                new ProcessBuilder(
                                "promtool",
                                "check",
                                "rules",
                                root().resolve("deploy/prometheus/learner-rules.yml").toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    static Set<String> learnerMetricNames() throws IllegalAccessException {
        Set<String> out = new LinkedHashSet<>();
        for (Field f : LearnerMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                out.add((String) f.get(null));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------

    private static JsonNode manifest(String kind, String name) throws Exception {
        for (JsonNode doc : DeploymentFiles.k8sManifests()) {
            if (doc.path("kind").asText().equals(kind)
                    && doc.at("/metadata/name").asText().equals(name)) {
                return doc;
            }
        }
        throw new AssertionError("no " + kind + " " + name + " in k8s/");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
