package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepmatch.recall.service.RecallService;
import dev.deepmatch.recall.service.RecallSettings;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
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
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The loop closed, with real parts: plays into Kafka, the job trains and publishes item and user
 * vectors exactly-once, the recall service indexes them, and its page in Debian's chromium shows a
 * listener's recent plays and recalled tracks, which change after the listener plays more. The
 * service also skips a bad record and rebuilds the same index after a restart.
 */
class RecallPageITCase {
    private static final String PREFIX = "rp";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String LISTENER = "probe-listener";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;
    private static long latestEventTime;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no Debian chromium and chromium-driver (.ci/run installs them): skipped");
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
        producer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void thePageShowsAListenersRecallAndItChangesAfterNewPlays(
            @InjectClusterRESTAddress URI rest, @TempDir Path dir) throws Exception {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(11).users(300).tracks(500).build());
        for (int i = 0; i < 4_000; i++) {
            send(generator.next());
        }
        List<String> firstPlays = List.of("t1", "t2", "t3", "t4", "t5", "t6");
        playAll(firstPlays, 1.0);

        Map<String, String> settings = Jobs.settings(kafka.bootstrapServers(), PREFIX, dir);
        settings.put("user-vector-interval", "200 ms");
        settings.put("quality-gate", "false"); // this test is about the loop, not the gate
        JobClient job = Jobs.submit(settings, null);
        RecallService service = startService(rest);
        WebDriver browser = null;
        try {
            JsonNode first = awaitRecall(service, LISTENER, a -> a.path("items").size() >= 10);
            assertThat(recent(first)).containsExactlyElementsOf(reversed(firstPlays));
            assertThat(items(first)).doesNotContainAnyElementsOf(firstPlays);

            browser = chromium(dir);
            browser.get(service.address() + "/");
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            browser.findElement(By.id("follow")).click();
            browser.findElement(By.id("user-input")).sendKeys(LISTENER + "\n");
            wait.until(b -> shown(b, "#recalled li[data-item]").size() >= 10);
            String versionBefore = text(browser, "user-version");
            List<String> shownBefore = shown(browser, "#recalled li[data-item]");
            assertThat(shown(browser, "#recent li[data-item]"))
                    .containsExactlyElementsOf(reversed(firstPlays));
            assertThat(shown(browser, "#recent li.skip")).isEmpty();

            // New plays, the last ones skipped: the page follows the listener's new vector.
            List<String> more = List.of("t7", "t8", "t9", "t10");
            playAll(more, 1.0);
            playAll(List.of("t11", "t12"), 0.05);
            wait.until(
                    b ->
                            !text(b, "user-version").equals(versionBefore)
                                    && shown(b, "#recent li[data-item]").get(0).equals("t12"));
            List<String> shownAfter = shown(browser, "#recalled li[data-item]");
            assertThat(shownAfter).isNotEqualTo(shownBefore).doesNotContain("t11", "t12", "t7");
            assertThat(shown(browser, "#recent li.skip")).containsExactly("t12", "t11");
            Path shot = Path.of("target/recall-page.png");
            Files.write(shot, ((RemoteWebDriver) browser).getScreenshotAs(OutputType.BYTES));

            // A record no decoder takes is counted and skipped; the service keeps answering.
            producer.send(
                            new ProducerRecord<>(
                                    PREFIX + "-user-vectors",
                                    "x".getBytes(StandardCharsets.UTF_8),
                                    "not avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
            RecallService live = service;
            Jobs.await(
                    () -> live.status().path("applied").path("badRecords").asLong() == 1,
                    "the bad record counted",
                    WAIT);
            JsonNode answer = get(service, "/v1/recall?k=10&user=" + LISTENER);
            assertThat(answer.path("items").size()).isEqualTo(10);

            // A restart rebuilds the same index and listener from the compacted topics.
            Jobs.cancel(job, WAIT);
            job = null;
            RecallService old = service;
            Thread.sleep(2_000); // the lag is read once a second
            Jobs.await(
                    () -> old.status().path("lagTotal").asLong() == 0,
                    "the service read everything committed",
                    WAIT);
            int indexSize = service.status().path("indexSize").asInt();
            JsonNode before = get(service, "/v1/recall?k=10&user=" + LISTENER);
            service.close();
            service = startService(rest);
            RecallService restarted = service;
            Jobs.await(restarted::caughtUp, "the restarted service caught up", WAIT);
            assertThat(restarted.status().path("indexSize").asInt()).isEqualTo(indexSize);
            JsonNode again = get(restarted, "/v1/recall?k=10&user=" + LISTENER);
            assertThat(again.path("userVersion")).isEqualTo(before.path("userVersion"));
            assertThat(items(again)).isEqualTo(items(before));
        } finally {
            if (browser != null) {
                browser.quit();
            }
            service.close();
            if (job != null) {
                Jobs.cancel(job, WAIT);
            }
        }
    }

    private static RecallService startService(URI rest) throws Exception {
        Settings s =
                Settings.builder()
                        .set(RecallSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
                        .set(RecallSettings.VECTORS_TOPIC, PREFIX + "-vectors")
                        .set(RecallSettings.USER_VECTORS_TOPIC, PREFIX + "-user-vectors")
                        .set(RecallSettings.PORT, 0)
                        .set(RecallSettings.FLINK_REST, rest.toString())
                        .build();
        return RecallService.start(s, Map.of());
    }

    private static WebDriver chromium(Path dir) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1400,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
        ChromeDriverService driver =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(driver, options);
    }

    /**
     * The data-item of every element matching {@code css}, read in one script: the page redraws its
     * lists every second, so elements found one call earlier may be gone.
     */
    @SuppressWarnings("unchecked")
    private static List<String> shown(WebDriver browser, String css) {
        return new ArrayList<>(
                (List<String>)
                        ((JavascriptExecutor) browser)
                                .executeScript(
                                        "return Array.from(document.querySelectorAll(arguments[0]),"
                                                + " e => e.getAttribute('data-item'));",
                                        css));
    }

    /** Plays of the probe listener, a second apart after everything sent so far. */
    private static void playAll(List<String> items, double rate) throws Exception {
        for (String item : items) {
            latestEventTime += 1_000;
            send(
                    PlaybackEvent.newBuilder()
                            .setEventId(LISTENER + "-" + latestEventTime)
                            .setUserId(LISTENER)
                            .setItemId(item)
                            .setEventTimeMillis(Instant.ofEpochMilli(latestEventTime))
                            .setPlayRate(rate)
                            .setIntent(IntentType.EXACT_TRACK)
                            .build());
        }
        producer.flush();
    }

    private static void send(PlaybackEvent e) throws Exception {
        latestEventTime = Math.max(latestEventTime, e.getEventTimeMillis().toEpochMilli());
        producer.send(
                new ProducerRecord<>(
                        PREFIX + "-events",
                        e.getUserId().getBytes(StandardCharsets.UTF_8),
                        WireCodec.PLAYBACK_EVENT.encode(e)));
    }

    private static JsonNode awaitRecall(
            RecallService service, String user, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(service, "/v1/recall?k=10&user=" + user);
            if (last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no recall for " + user + " within " + WAIT + ": " + last);
    }

    /** The answer, or null while the service has no vector for it (404, 503). */
    private static JsonNode get(RecallService service, String path) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(service.address() + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private static String text(WebDriver browser, String id) {
        return (String)
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "return document.getElementById(arguments[0]).textContent;", id);
    }

    private static List<String> recent(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.path("recent").forEach(n -> out.add(n.path("item").asText()));
        return out;
    }

    private static List<String> items(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.path("items").forEach(n -> out.add(n.path("item").asText()));
        return out;
    }

    private static List<String> reversed(List<String> l) {
        List<String> out = new ArrayList<>(l);
        java.util.Collections.reverse(out);
        return out;
    }
}
