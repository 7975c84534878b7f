package dev.deepmatch.tools.local;

import dev.deepmatch.job.LearnerMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a running job's metrics through the REST API of its JobManager, as the web UI does: the
 * operator metrics of every vertex, summed over its subtasks, except the figures of each trainer
 * that do not add up across trainers ({@link #AVERAGED}, {@link #HIGHEST}).
 *
 * <p>Operator metrics are published as {@code <operator name>.<metric>} (the name with spaces
 * replaced); they are looked up here by the part after the last operator-name dot, e.g. {@code
 * eventsIn} or {@code invalidEvents.RATE_OUT_OF_RANGE}, so a renamed operator does not break the
 * reader. Values are as fresh as the JobManager's metric fetcher ({@code
 * metrics.fetcher.update-interval}).
 */
public final class RestMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per-trainer ratios and losses: their mean over subtasks. */
    static final Set<String> AVERAGED =
            Set.of(
                    LearnerMetrics.POS10,
                    LearnerMetrics.NEG10,
                    LearnerMetrics.POS50,
                    LearnerMetrics.NEG50,
                    LearnerMetrics.POS10_TOTAL,
                    LearnerMetrics.NEG10_TOTAL,
                    LearnerMetrics.POS50_TOTAL,
                    LearnerMetrics.NEG50_TOTAL,
                    LearnerMetrics.POSITIVE_LOSS,
                    LearnerMetrics.NEGATIVE_LOSS,
                    LearnerMetrics.NEXT_ITEM_LOSS);

    /** What every trainer holds a view of (the model): the most advanced subtask's. */
    static final Set<String> HIGHEST =
            Set.of(
                    LearnerMetrics.MODEL_VERSION,
                    LearnerMetrics.CATALOGUE_SIZE,
                    LearnerMetrics.EXCHANGE_LAG_MILLIS,
                    LearnerMetrics.LAST_TRAINING_STEP_MILLIS);

    private final String baseUrl;
    private final String jobId;
    private final HttpClient http;

    /** Vertex id -> metric id as published -> the short name it is looked up by. */
    private final Map<String, Map<String, String>> known = new HashMap<>();

    /**
     * @param baseUrl e.g. {@code http://localhost:8081}
     */
    public RestMetrics(String baseUrl, String jobId) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.jobId = jobId;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The job's state as the REST API reports it, e.g. RUNNING, FINISHED, FAILED. */
    public String jobState() throws IOException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Checkpoints completed so far, from the checkpoint statistics. */
    public long completedCheckpoints() throws IOException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * The newest failure of the job as {@code <task>: <first line of its stack trace>} (the
     * exception and its message), or null if it has not failed.
     */
    public String latestFailure() throws IOException {
        JsonNode entries =
                get("/jobs/" + jobId + "/exceptions?maxExceptions=1")
                        .path("exceptionHistory")
                        .path("entries");
        if (!entries.isArray() || entries.isEmpty()) {
            return null;
        }
        JsonNode e = entries.get(0);
        String trace = e.path("stacktrace").asText("");
        String first =
                trace.isEmpty()
                        ? e.path("exceptionName").asText("")
                        : trace.lines().findFirst().orElse("");
        String task = e.path("taskName").asText("");
        return task.isEmpty() || "null".equals(task) ? first : task + ": " + first;
    }

    /** A job-level metric, e.g. {@code numRestarts}; NaN while the job does not publish it yet. */
    public double jobMetric(String name) throws IOException {
        for (JsonNode metric :
                get(
                        "/jobs/"
                                + jobId
                                + "/metrics?get="
                                + URLEncoder.encode(name, StandardCharsets.UTF_8))) {
            if (name.equals(metric.path("id").asText()) && metric.has("value")) {
                return metric.get("value").asDouble();
            }
        }
        return Double.NaN;
    }

    /**
     * Current values of the named operator metrics (short names, see the class comment), summed
     * over subtasks and over operators that publish the same name. Metrics not published yet are
     * absent from the result.
     */
    public Map<String, Double> fetch(Set<String> names) throws IOException {
        return fetch(names, null);
    }

    /**
     * The lowest and the highest value of one operator metric over the subtasks that publish it,
     * e.g. to check that every trainer agrees; null while none publishes it.
     */
    public double[] range(String name) throws IOException {
        Map<String, Double> min = fetch(Set.of(name), "min");
        Map<String, Double> max = fetch(Set.of(name), "max");
        if (!min.containsKey(name) || !max.containsKey(name)) {
            return null;
        }
        return new double[] {min.get(name), max.get(name)};
    }

    private Map<String, Double> fetch(Set<String> names, String onlyAgg) throws IOException {
        Map<String, Double> values = new HashMap<>();
        for (String vertex : vertices()) {
            Map<String, String> ids = known.get(vertex);
            if (ids == null || !ids.values().containsAll(names)) {
                // tasks register their metrics as they start: look again until all are there
                ids = discover(vertex, names);
                known.put(vertex, ids);
            }
            List<String> wanted = new ArrayList<>();
            ids.forEach(
                    (id, name) -> {
                        if (names.contains(name)) {
                            wanted.add(id);
                        }
                    });
            if (wanted.isEmpty()) {
                continue;
            }
            JsonNode result =
                    get(
                            subtaskMetricsPath(vertex)
                                    + "?agg=sum,avg,min,max&get="
                                    + URLEncoder.encode(
                                            String.join(",", wanted), StandardCharsets.UTF_8));
            for (JsonNode metric : result) {
                String name = ids.get(metric.get("id").asText());
                String agg =
                        onlyAgg != null
                                ? onlyAgg
                                : AVERAGED.contains(name)
                                        ? "avg"
                                        : HIGHEST.contains(name) ? "max" : "sum";
                JsonNode value = metric.get(agg);
                if (value != null && value.isNumber()) {
                    values.merge(name, value.asDouble(), Double::sum);
                }
            }
        }
        return values;
    }

    /**
     * Every operator chain's busiest subtask: its busy and back-pressured time per second, as the
     * web UI's job graph colours them.
     */
    public List<LagWatch.Busy> busiest() throws IOException {
        List<LagWatch.Busy> out = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            JsonNode result =
                    get(
                            subtaskMetricsPath(v.get("id").asText())
                                    + "?agg=max&get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond");
            double busy = Double.NaN, backPressured = Double.NaN;
            for (JsonNode metric : result) {
                double value = metric.path("max").asDouble(Double.NaN);
                switch (metric.path("id").asText()) {
                    case "busyTimeMsPerSecond" -> busy = value;
                    case "backPressuredTimeMsPerSecond" -> backPressured = value;
                    default -> {}
                }
            }
            if (!Double.isNaN(busy)) {
                // a chain's name lists its operators: the first one names it well enough
                String chain = v.path("name").asText();
                out.add(new LagWatch.Busy(chain.split(" -> ")[0], busy, backPressured));
            }
        }
        return out;
    }

    private List<String> vertices() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            ids.add(v.get("id").asText());
        }
        return ids;
    }

    private Map<String, String> discover(String vertex, Set<String> names) throws IOException {
        Map<String, String> ids = new HashMap<>();
        for (JsonNode metric : get(subtaskMetricsPath(vertex))) {
            String id = metric.get("id").asText();
            for (String name : names) {
                if (id.endsWith("." + name)) {
                    ids.put(id, name);
                }
            }
        }
        return ids;
    }

    private String subtaskMetricsPath(String vertex) {
        return "/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics";
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + path, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
