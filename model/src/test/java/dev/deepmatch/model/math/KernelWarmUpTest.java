package dev.deepmatch.model.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warm-up must make a fresh JVM's first large float product run as compiled vector code. Only a
 * fresh JVM shows it (this one has run products already), so the probe runs in a child process.
 * Without the warm-up, that first product allocates 1-2 GB of vector objects.
 */
class KernelWarmUpTest {
    /** The product's own float panel (64 x 50,000 floats, 12.8 MB) plus a little. */
    private static final long COMPILED_LIMIT = 32L << 20;

    @Test
    void firstLargeProductAfterTheWarmUpDoesNotAllocateVectors() throws Exception {
        List<String> out = probe("warm");
        assertThat(out).contains("warm=true");
        long allocated = allocated(out);
        assertThat(allocated).as("bytes allocated by the first product").isLessThan(COMPILED_LIMIT);
    }

    private static long allocated(List<String> out) {
        return out.stream()
                .filter(l -> l.startsWith("allocated="))
                .mapToLong(l -> Long.parseLong(l.substring("allocated=".length())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no allocated= line in " + out));
    }

    static List<String> probe(String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "--add-modules",
                                "jdk.incubator.vector",
                                "-Xmx2g",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ColdProductProbe.class.getName(),
                                mode)
                        .redirectErrorStream(true)
                        .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().toList();
    }
}
