package dev.deepmatch.recall.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.deepmatch.recall.index.VectorIndex;
import dev.deepmatch.settings.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * The recall service: a {@link VectorFeed} keeping the index and the user vectors current, and an
 * HTTP server answering from them. {@code GET /v1/recall?user=U&k=50}, {@code GET /v1/status},
 * {@code GET /v1/users?limit=N} (listeners who changed last), {@code GET /v1/learning} (the
 * trainer's POS@10 / NEG@10 over time), and the page at {@code /}. docs/RECALL.md describes the
 * answers.
 */
public final class RecallService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "deepmatch-recall/index.html";

    private final Settings settings;
    private final UserStore users = new UserStore();
    private final FeedStats stats = new FeedStats();
    private final VectorFeed feed;
    private final Thread feedThread;
    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService poller;
    private final LearningCurve curve;
    private final long startedAt = System.currentTimeMillis();

    private RecallService(Settings s, Map<String, String> kafka) throws IOException {
        this.settings = s;
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.get(RecallSettings.BOOTSTRAP_SERVERS));
        String dir = s.get(RecallSettings.INDEX_DIR);
        feed =
                new VectorFeed(
                        props,
                        s.get(RecallSettings.VECTORS_TOPIC),
                        s.get(RecallSettings.USER_VECTORS_TOPIC),
                        s.get(RecallSettings.DIMENSION),
                        dir == null ? null : Path.of(dir),
                        s.get(RecallSettings.REFRESH_INTERVAL),
                        users,
                        stats);
        try {
            feed.assign(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            feed.release();
            throw e;
        }
        feedThread = new Thread(feed, "recall-feed");
        feedThread.setDaemon(true);
        server =
                HttpServer.create(
                        new InetSocketAddress(
                                s.get(RecallSettings.BIND), s.get(RecallSettings.PORT)),
                        256);
        httpThreads = Executors.newFixedThreadPool(s.get(RecallSettings.THREADS));
        server.setExecutor(httpThreads);
        server.createContext("/v1/recall", x -> answer(x, this::recall));
        server.createContext("/v1/status", x -> answer(x, q -> status()));
        server.createContext("/v1/users", x -> answer(x, this::latestUsers));
        server.createContext("/v1/learning", x -> answer(x, q -> learning()));
        server.createContext("/", this::page);
        String rest = s.get(RecallSettings.FLINK_REST);
        curve = rest == null ? null : new LearningCurve(rest);
        poller =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "recall-learning-curve");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Starts reading the topics and serving.
     *
     * @throws IllegalArgumentException naming the setting, when a topic is missing
     */
    public static RecallService start(Settings s, Map<String, String> kafka) throws IOException {
        RecallService service = new RecallService(s, kafka);
        service.feedThread.start();
        service.server.start();
        if (service.curve != null) {
            service.poller.scheduleWithFixedDelay(service.curve, 0, 2, TimeUnit.SECONDS);
        }
        return service;
    }

    /** Where it serves, e.g. {@code http://127.0.0.1:8090}. */
    public URI address() {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getHostString() + ":" + a.getPort());
    }

    /** Whether everything on the topics at start has been applied. */
    public boolean caughtUp() {
        return feed.caughtUp();
    }

    private interface Handler {
        Object handle(Map<String, String> query) throws HttpError;
    }

    /** An answer other than 200, with its message. */
    private static final class HttpError extends Exception {
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void answer(HttpExchange x, Handler h) throws IOException {
        int status = 200;
        Object body;
        try {
            if (!"GET".equals(x.getRequestMethod())) {
                throw new HttpError(405, "only GET");
            }
            body = h.handle(query(x.getRequestURI()));
        } catch (HttpError e) {
            status = e.status;
            body = JSON.createObjectNode().put("error", e.getMessage());
        } catch (RuntimeException e) {
            status = 500;
            body = JSON.createObjectNode().put("error", e.toString());
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            q.put(
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    private static int intParam(Map<String, String> q, String name, int dflt, int min, int max)
            throws HttpError {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new HttpError(400, name + " must be an integer in [" + min + ", " + max + "]");
    }

    private Object recall(Map<String, String> q) throws HttpError {
        String user = q.get("user");
        if (user == null || user.isEmpty()) {
            throw new HttpError(400, "user is required: /v1/recall?user=U&k=50");
        }
        int k = intParam(q, "k", 50, 1, settings.get(RecallSettings.MAX_K));
        UserStore.Entry u = users.get(user);
        if (u == null) {
            throw new HttpError(404, "no user vector for " + user + " (yet)");
        }
        VectorIndex index = feed.currentIndex();
        if (index == null) {
            throw new HttpError(503, "no item vectors yet");
        }
        Set<String> exclude = new HashSet<>(u.recentItems());
        List<VectorIndex.Hit> hits = index.search(u.vector(), k, exclude);
        ObjectNode out = JSON.createObjectNode();
        out.put("user", user);
        out.put("userVersion", u.modelVersion());
        out.put("indexVersion", index.maxVersion());
        out.put("lastPlayMillis", u.lastPlayMillis());
        out.put("lastArrivalMillis", u.lastArrivalMillis());
        out.put("userAppliedAtMillis", u.appliedAtMillis());
        ArrayNode recent = out.putArray("recent");
        for (int i = u.recentItems().size() - 1; i >= 0; i--) {
            recent.addObject()
                    .put("item", u.recentItems().get(i))
                    .put("rate", u.recentRates().get(i));
        }
        ArrayNode items = out.putArray("items");
        for (VectorIndex.Hit h : hits) {
            items.addObject().put("item", h.itemId()).put("score", h.score());
        }
        return out;
    }

    private Object latestUsers(Map<String, String> q) throws HttpError {
        int limit = intParam(q, "limit", 20, 1, 1000);
        ArrayNode out = JSON.createArrayNode();
        for (UserStore.Entry e : users.latest(limit)) {
            ObjectNode u = out.addObject();
            u.put("user", e.userId());
            u.put("userVersion", e.modelVersion());
            u.put("lastPlayMillis", e.lastPlayMillis());
            u.put("plays", e.recentItems().size());
        }
        return out;
    }

    private Object learning() {
        ObjectNode out = JSON.createObjectNode();
        out.put("source", curve == null ? "" : settings.get(RecallSettings.FLINK_REST));
        out.put("lastError", curve == null ? "no --flink-rest given" : curve.lastError());
        ArrayNode points = out.putArray("points");
        if (curve != null) {
            for (LearningCurve.Point p : curve.points()) {
                points.addObject()
                        .put("atMillis", p.atMillis())
                        .put("pos10", p.pos10())
                        .put("neg10", p.neg10())
                        .put("modelVersion", p.modelVersion());
            }
        }
        return out;
    }

    /** What {@code /v1/status} answers. */
    public ObjectNode status() {
        ObjectNode out = JSON.createObjectNode();
        long now = System.currentTimeMillis();
        Throwable failed = feed.failure();
        out.put("state", failed != null ? "FAILED" : feed.caughtUp() ? "SERVING" : "CATCHING_UP");
        if (failed != null) {
            out.put("failure", failed.toString());
        }
        out.put("uptimeMillis", now - startedAt);
        VectorIndex index = feed.currentIndex();
        out.put("indexSize", index == null ? 0 : index.size());
        out.put("indexVersion", index == null ? -1 : index.maxVersion());
        out.put("users", users.size());
        ObjectNode lag = out.putObject("lag");
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : feed.lag().entrySet()) {
            lag.put(e.getKey().toString(), e.getValue());
            total += e.getValue();
        }
        out.put("lagTotal", total);
        ObjectNode applied = out.putObject("applied");
        applied.put("itemVectors", stats.itemsApplied.get());
        applied.put("itemVectorsStale", stats.itemsStale.get());
        applied.put("itemTombstones", stats.itemTombstones.get());
        applied.put("fullRefreshRecords", stats.fullRefreshRecords.get());
        applied.put("lastFullRefreshVersion", stats.lastFullRefreshVersion.get());
        applied.put("userVectors", stats.usersApplied.get());
        applied.put("userVectorsStale", stats.usersStale.get());
        applied.put("userTombstones", stats.userTombstones.get());
        applied.put("badRecords", stats.badRecords.get());
        applied.put("lastBadRecord", stats.lastBadReason);
        ObjectNode fresh = out.putObject("freshness");
        long item = stats.newestItemEmittedAt.get();
        long user = stats.newestUserEmittedAt.get();
        fresh.put("newestItemVectorAgeMillis", item == 0 ? -1 : now - item);
        fresh.put("newestUserVectorAgeMillis", user == 0 ? -1 : now - user);
        fresh.put("playToAppliedP50Millis", stats.playToAppliedQuantile(0.5));
        fresh.put("playToAppliedP99Millis", stats.playToAppliedQuantile(0.99));
        return out;
    }

    private void page(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            byte[] msg = "not found".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(404, msg.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(msg);
            }
            return;
        }
        byte[] bytes;
        try (InputStream in = RecallService.class.getClassLoader().getResourceAsStream(PAGE)) {
            bytes = in.readAllBytes();
        }
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        x.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        httpThreads.shutdownNow();
        poller.shutdownNow();
        feed.close();
        feedThread.join(10_000);
        feed.release();
    }
}
