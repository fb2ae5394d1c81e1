package io.spilo.dcs.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.spilo.config.EtcdConfig;
import io.spilo.tls.TlsContexts;
import io.spilo.tls.TlsException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/** jetcd clients from {@code etcd3}: endpoints, retry bounds, credentials, and TLS for https endpoints. */
final class EtcdClients {
    static {
        // jetcd's Vert.x would create a vertx-cache-<uuid> directory in /tmp for files it serves from
        // the class path, deleted only by a clean close: every agent killed by SIGKILL left one behind.
        // Spilo serves no files through Vert.x, so it needs no cache.
        System.setProperty("vertx.disableFileCPResolving", "true");
    }

    private EtcdClients() {
    }

    /** @throws TlsException when a TLS file is missing or unreadable (named in the message) */
    static Client create(EtcdConfig config, Duration timeout) {
        // jetcd retries failed calls itself, starting after retryDelay; keep that well inside the
        // per-call timeout so the timeout, not the retry policy, bounds every call.
        ClientBuilder builder = Client.builder()
                .endpoints(config.endpoints().toArray(String[]::new))
                .connectTimeout(timeout)
                .retryDelay(50)
                .retryMaxDelay(Math.max(100, timeout.toMillis() / 2))
                .retryMaxDuration(timeout.plusMillis(100))
                .waitForReady(false);
        config.authentication().ifPresent(credentials -> builder
                .user(bytes(credentials.username()))
                .password(bytes(credentials.password())));
        if (config.https()) {
            // The files are read now (a missing or bad file fails here, by name) and again when they change.
            Optional<KeyManager> certificate = TlsContexts.keyManager(config.tls());
            Optional<TrustManager> authority = TlsContexts.trustManager(config.tls());
            try {
                builder.sslContext(tls -> {
                    certificate.ifPresent(tls::keyManager);
                    authority.ifPresent(tls::trustManager);
                });
            } catch (SSLException e) {
                throw new TlsException("etcd3: cannot set up TLS: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
