package dev.deepmatch.it.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The project's deployment files and the schemas beside the project, as JSON trees. */
public final class DeploymentFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    private DeploymentFiles() {}

    /** The project root: where docker-compose.yml is (tests run in the module's folder). */
    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker-compose.yml"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    /** ../shared/k8s-schemas beside the project; skips the calling test where it is absent. */
    static Path schemas() {
        Path dir = root().resolve("../shared/k8s-schemas").normalize();
        assumeTrue(Files.isDirectory(dir), "no schemas at " + dir + ": skipped");
        return dir;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML text (merge keys and aliases resolved), as JSON trees. */
    static List<JsonNode> yamlDocuments(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(100);
        List<JsonNode> out = new ArrayList<>();
        for (Object doc : new Yaml(options).loadAll(text)) {
            if (doc != null) {
                out.add(JSON.valueToTree(doc));
            }
        }
        return out;
    }

    static JsonNode yaml(Path file) {
        return yamlDocuments(read(file)).get(0);
    }

    /**
     * The config.yaml lines the compose file gives the JobManager and the TaskManager ({@code
     * FLINK_PROPERTIES}, which the image's entrypoint appends to config.yaml).
     */
    public static Map<String, String> composeFlinkProperties() {
        String text =
                yaml(root().resolve("docker-compose.yml"))
                        .at("/services/jobmanager/environment/FLINK_PROPERTIES")
                        .asText();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (!line.isBlank()) {
                if (colon <= 0) {
                    throw new AssertionError("not a key: value line in FLINK_PROPERTIES: " + line);
                }
                out.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
            }
        }
        return out;
    }

    /**
     * The manifests of k8s/ as {@code kubectl kustomize} renders them where kubectl exists, else
     * the files the kustomization lists, one by one.
     */
    static List<JsonNode> k8sManifests() throws Exception {
        Path dir = root().resolve("k8s");
        String rendered = kustomize(dir);
        if (rendered != null) {
            return yamlDocuments(rendered);
        }
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode resource : yaml(dir.resolve("kustomization.yaml")).get("resources")) {
            docs.addAll(yamlDocuments(read(dir.resolve(resource.asText()))));
        }
        return docs;
    }

    /**
     * {@code kubectl kustomize dir}, or null where kubectl is not on the PATH ({@code
     * -Ddeploy.kubectl=none} tries the file-by-file way where it is).
     */
    static String kustomize(Path dir) throws Exception {
        String kubectl = System.getProperty("deploy.kubectl", "kubectl");
        if (!onPath(kubectl)) {
            return null;
        }
        Process p =
                new ProcessBuilder(kubectl, "kustomize", dir.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + dir + " failed: " + out);
        }
        return out;
    }

    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The openAPIV3Schema of a CRD's served version, by the file the CRD is in. */
    static JsonNode crdSchema(String file, String version) {
        JsonNode crd = yaml(schemas().resolve(file));
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals(version)) {
                return v.path("schema").path("openAPIV3Schema");
            }
        }
        throw new IllegalArgumentException(file + " serves no version " + version);
    }

    /** Every PromQL expression of the Grafana dashboard. */
    public static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard =
                JSON.readTree(
                        Files.readString(
                                root().resolve(
                                                "deploy/grafana/dashboards/deepmatch-learner.json")));
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    /** Every expression of the alert rules. */
    public static List<String> ruleExpressions() {
        List<String> out = new ArrayList<>();
        yaml(root().resolve("deploy/prometheus/learner-rules.yml"))
                .at("/groups/0/rules")
                .forEach(r -> out.add(r.path("expr").asText()));
        return out;
    }

    /** The flink_* metric names in expressions; a name matched by a regex ends in {@code _}. */
    public static Set<String> referencedMetrics(List<String> expressions) {
        Pattern name = Pattern.compile("flink_[A-Za-z0-9_]+");
        Set<String> out = new LinkedHashSet<>();
        for (String e : expressions) {
            Matcher m = name.matcher(e);
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }
}
