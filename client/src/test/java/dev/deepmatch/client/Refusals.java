package dev.deepmatch.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** How a builder refuses a setting: the same message from its settings and from its build. */
final class Refusals {
    private Refusals() {}

    static void assertRefused(ThrowingCallable config, ThrowingCallable build, String message) {
        assertThatThrownBy(config)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
