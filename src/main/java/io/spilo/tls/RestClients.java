package io.spilo.tls;

import io.spilo.config.TlsSettings;
import java.net.http.HttpClient;
import java.time.Duration;

/** HTTP clients for members' REST APIs: plain, or TLS by the {@code ctl}/{@code restapi} files. */
public final class RestClients {
    private RestClients() {
    }

    public static HttpClient create(TlsSettings tls, Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (tls.enabled()) {
            builder.sslContext(TlsContexts.client(tls));
        }
        return builder.build();
    }
}
