package dev.deepmatch.recall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServeMainTest {

    /** Refused before any consumer or port is opened, by name, without echoing the secret. */
    @Test
    void aLiteralKafkaCredentialIsRefusedAtStart() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code =
                    ServeMain.run(
                            new String[] {
                                "--bootstrap-servers",
                                "127.0.0.1:1",
                                "--kafka.sasl.jaas.config",
                                "ScramLoginModule required username=\"u\" password=\"hunter2\";"
                            });
        } finally {
            System.setErr(err);
        }
        String message = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(message)
                .startsWith(
                        "serve: --kafka.sasl.jaas.config must be a reference to a Kafka config"
                                + " provider")
                .doesNotContain("hunter2");
    }
}
