package dev.deepmatch.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CliArgsTest {

    @Test
    void readsBothFormsFlagsAndPrefixes() {
        CliArgs args =
                CliArgs.parse(
                        new String[] {
                            "--rate=250", "--generator", "--kafka.acks", "all", "--batch-size", "64"
                        },
                        Set.of("generator"));
        assertTrue(args.flag("generator"));
        assertFalse(args.flag("generator")); // taken
        assertEquals(250.0, args.doubleValue("rate", 0, 0, 1000));
        assertEquals(Map.of("acks", "all"), args.withPrefix("kafka."));
        assertArrayEquals(new String[] {"--batch-size", "64"}, args.remaining());
    }

    @Test
    void namesTheOptionThatIsWrong() {
        assertMessage(
                "--rate must be a number",
                () -> parse("--rate", "fast").doubleValue("rate", 0, 0, 1));
        assertMessage("--n must be in [1, 5]", () -> parse("--n", "9").longValue("n", 1, 1, 5));
        assertMessage("--x needs a value", () -> parse("--x"));
        assertMessage("--x is given twice", () -> parse("--x", "1", "--x", "2"));
        assertMessage("unexpected argument 'x'", () -> parse("x"));
        assertMessage(
                "unknown options: --a, --b", () -> parse("--a", "1", "--b", "2").rejectRemaining());
        assertMessage("--topic is required", () -> parse().required("topic"));
    }

    private static CliArgs parse(String... argv) {
        return CliArgs.parse(argv, Set.of());
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
