package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.tools.local.LocalMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on {@code bin/learner local}, as a separate process (SIGINT, as a terminal sends it), with
 * its own temporary directory: during start-up and while running, it stops and leaves nothing
 * behind there (no broker data, no checkpoints, none of the local cluster's files).
 */
class LocalCtrlCITCase {

    @Test
    void ctrlCDuringStartUpStopsAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        Run run = Run.start(tmp);
        run.awaitLine("local: starting", 60);
        Thread.sleep(300); // the broker is starting now
        run.interrupt();
        assertThat(run.exit(90)).as("exit code; stderr %s", run.lines).isEqualTo(130);
        assertThat(leftIn(tmp)).as("left in java.io.tmpdir").isEmpty();
        // It was missing now and then: a start-up step failing from the interrupt released the
        // shutdown hook before printing, and the JVM halted in between.
        assertThat(run.lines)
                .as("stderr")
                .anyMatch(l -> l.startsWith("local: stopped during start-up"));
    }

    @Test
    void ctrlCWhileRunningStopsAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        Run run = Run.start(tmp);
        run.awaitLine("local: Kafka on", 90);
        Thread.sleep(3_000); // the job is running, RocksDB and the broker have written files
        assertThat(leftIn(tmp)).as("files the run keeps while it runs").isNotEmpty();
        run.interrupt();
        assertThat(run.exit(90)).as("exit code; stderr %s", run.lines).isEqualTo(130);
        assertThat(run.lines).as("stderr").contains("local: stopping");
        assertThat(leftIn(tmp)).as("left in java.io.tmpdir").isEmpty();
    }

    private static List<Path> leftIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** {@code local} on the generator in a JVM of its own, its stderr collected line by line. */
    private record Run(Process process, List<String> lines, Thread reader) {

        static Run start(Path tmp) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    java,
                                    "--add-modules",
                                    "jdk.incubator.vector",
                                    "-Xmx2g",
                                    "-Djava.io.tmpdir=" + tmp,
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    LocalMain.class.getName(),
                                    "--generator",
                                    "--rate",
                                    "200",
                                    "--web-port",
                                    "0",
                                    "--prometheus-port",
                                    "0"));
            Process p =
                    new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader =
                    new Thread(
                            () -> {
                                try (BufferedReader r =
                                        new BufferedReader(
                                                new InputStreamReader(
                                                        p.getErrorStream(),
                                                        StandardCharsets.UTF_8))) {
                                    String line;
                                    while ((line = r.readLine()) != null) {
                                        lines.add(line);
                                    }
                                } catch (IOException ended) {
                                    // the process is gone
                                }
                            },
                            "local-stderr");
            reader.setDaemon(true);
            reader.start();
            return new Run(p, lines, reader);
        }

        void awaitLine(String prefix, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                assertThat(process.isAlive()).as("local ended early: %s", lines).isTrue();
                assertThat(System.nanoTime())
                        .as("no '%s' line: %s", prefix, lines)
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
        }

        /** SIGINT, as Ctrl-C in a terminal. */
        void interrupt() throws Exception {
            Process kill =
                    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start();
            assertThat(kill.waitFor()).isZero();
        }

        int exit(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("local did not stop within " + seconds + " s: " + lines);
            }
            reader.join(10_000); // every stderr line, up to the end of the stream
            return process.exitValue();
        }
    }
}
