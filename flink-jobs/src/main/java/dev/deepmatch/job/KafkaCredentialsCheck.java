package dev.deepmatch.job;

import static dev.deepmatch.job.JobSettings.BOOTSTRAP_SERVERS;

import dev.deepmatch.settings.UsageException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the brokers, before the job starts, whether they accept its Kafka client settings: wrong
 * credentials (SASL, TLS) would otherwise show only as a job that restarts for ever with the cause
 * deep in a TaskManager log. A rejection fails the start with a message that names it; brokers that
 * do not answer in time only get a warning (they may be on their way up, and the job's clients
 * retry).
 */
public final class KafkaCredentialsCheck {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCredentialsCheck.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaCredentialsCheck() {}

    public static void check(JobConfig config) throws UsageException {
        Properties props = config.kafkaProperties();
        String servers = config.get(BOOTSTRAP_SERVERS);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthenticationException
                    || cause instanceof AuthorizationException) {
                throw new UsageException(
                        "Kafka at "
                                + servers
                                + " rejected the job's credentials ("
                                + describe(props)
                                + "): "
                                + cause.getMessage()
                                + "; check the --kafka.sasl.* / --kafka.ssl.* settings and the"
                                + " secret they refer to");
            }
            LOG.warn("could not check the Kafka settings against {}: {}", servers, cause);
        } catch (TimeoutException e) {
            LOG.warn("Kafka at {} did not answer within {}; starting anyway", servers, TIMEOUT);
        } catch (KafkaException e) {
            // e.g. a config provider that cannot read its file: the clients would fail the same way
            throw new UsageException(
                    "the job's Kafka client settings are unusable: " + rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The protocol and mechanism, never a credential. */
    private static String describe(Properties props) {
        return "security.protocol "
                + props.getProperty("security.protocol", "PLAINTEXT")
                + ", sasl.mechanism "
                + props.getProperty("sasl.mechanism", "GSSAPI");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t
                ? String.valueOf(t.getMessage())
                : t.getMessage() + ": " + root.getMessage();
    }
}
