package dev.deepmatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A machine without nd4j's native library (another OS, a class path without the platform jars): a
 * model asked to rank on nd4j ranks on the Java kernel instead, says why, and finds the same top N;
 * it does not fail (a trainer would otherwise fail the same way at every restart). Only a fresh JVM
 * shows it, so the model ranks in a child process.
 */
class CatalogueFallbackTest {

    @Test
    void withoutTheNativeJarsNd4jRankingFallsBackToJavaWithTheSameTopN() throws Exception {
        String full = System.getProperty("java.class.path");
        String withoutNatives =
                Arrays.stream(full.split(File.pathSeparator))
                        .filter(entry -> !entry.endsWith("-linux-x86_64.jar"))
                        .collect(Collectors.joining(File.pathSeparator));
        assertThat(withoutNatives).as("the natives were on the class path").isNotEqualTo(full);
        List<String> javaTop = CatalogueFallbackProbe.rank(CatalogueProducts.JAVA);

        List<String> fellBack = probe(withoutNatives);
        assertThat(fellBack.get(0)).startsWith("fallback=catalogue-products=nd4j").contains("nd4j");
        assertThat(tops(fellBack)).isEqualTo(tops(javaTop));

        // With the natives, nd4j loads: no fallback (so the check above can fail).
        assertThat(probe(full)).contains("fallback=null");
    }

    private static List<String> tops(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("top=")).toList();
    }

    private static List<String> probe(String classPath) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "--add-modules",
                                "jdk.incubator.vector",
                                "-Xmx1g",
                                "-cp",
                                classPath,
                                CatalogueFallbackProbe.class.getName(),
                                CatalogueProducts.ND4J.name())
                        .redirectErrorStream(true)
                        .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().filter(l -> l.startsWith("fallback=") || l.startsWith("top=")).toList();
    }
}
