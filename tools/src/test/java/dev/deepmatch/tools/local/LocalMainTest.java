package dev.deepmatch.tools.local;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class LocalMainTest {

    @Test
    void aWebPortInUseIsABadSettingNotAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            assertThatThrownBy(
                            () ->
                                    LocalMain.requireFreePort(
                                            LocalMain.WEB_PORT, taken.getLocalPort()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--web-port " + taken.getLocalPort());
        }
        assertThatCode(() -> LocalMain.requireFreePort(LocalMain.WEB_PORT, 0))
                .doesNotThrowAnyException();
    }
}
