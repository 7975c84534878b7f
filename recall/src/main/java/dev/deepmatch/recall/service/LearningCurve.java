package dev.deepmatch.recall.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's recent POS@10 / NEG@10 over time, polled from the job's REST API (as the web UI
 * reads metrics: the first running job, its vertex whose name contains "Trainer", the subtasks'
 * average of {@code <operator>.pos10} and {@code .neg10}). For the page; empty without a REST
 * address or while the job does not publish them.
 */
final class LearningCurve implements Runnable {
    record Point(long atMillis, double pos10, double neg10, double modelVersion) {}

    private static final int POINTS = 2_000;

    /** The trainer's metric names (LearnerMetrics), after the operator name. */
    static final String POS10 = ".pos10";

    static final String NEG10 = ".neg10";
    static final String VERSION = ".modelVersion";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ArrayDeque<Point> points = new ArrayDeque<>();
    private volatile String lastError = "";

    LearningCurve(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public void run() {
        try {
            Point p = fetch();
            if (p != null) {
                synchronized (points) {
                    points.add(p);
                    if (points.size() > POINTS) {
                        points.poll();
                    }
                }
            }
            lastError = "";
        } catch (Exception e) {
            lastError = e.toString(); // the job is restarting or not there yet: try again later
        }
    }

    List<Point> points() {
        synchronized (points) {
            return new ArrayList<>(points);
        }
    }

    String lastError() {
        return lastError;
    }

    private Point fetch() throws Exception {
        String job = null;
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            if ("RUNNING".equals(j.path("state").asText())) {
                job = j.path("jid").asText();
                break;
            }
        }
        if (job == null) {
            return null;
        }
        String vertex = null;
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains("Trainer")) {
                vertex = v.path("id").asText();
            }
        }
        if (vertex == null) {
            return null;
        }
        String path = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics";
        List<String> wanted = new ArrayList<>();
        for (JsonNode m : get(path)) {
            String id = m.path("id").asText();
            if (id.endsWith(POS10) || id.endsWith(NEG10) || id.endsWith(VERSION)) {
                wanted.add(id);
            }
        }
        if (wanted.isEmpty()) {
            return null;
        }
        double pos = Double.NaN;
        double neg = Double.NaN;
        double version = Double.NaN;
        String query = URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8);
        for (JsonNode m : get(path + "?agg=avg&get=" + query)) {
            String id = m.path("id").asText();
            double value = m.path("avg").asDouble(Double.NaN);
            if (id.endsWith(POS10)) {
                pos = value;
            } else if (id.endsWith(NEG10)) {
                neg = value;
            } else {
                version = value;
            }
        }
        return Double.isNaN(pos) ? null : new Point(System.currentTimeMillis(), pos, neg, version);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }
}
