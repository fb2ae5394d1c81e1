package io.spilo.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a member's agent whether it is the confirmed primary ({@code GET /primary} answers 200):
 * the leader key alone says a member won, not that it finished promoting.
 */
@FunctionalInterface
interface PrimaryConfirmer {
    boolean isConfirmedPrimary(BackendServer server);

    /** Over HTTP, with a short deadline: a member that does not answer in time is not confirmed. */
    static PrimaryConfirmer overHttp(Duration timeout, io.spilo.config.TlsSettings tls) {
        HttpClient client = io.spilo.tls.RestClients.create(tls, timeout);
        String scheme = tls.enabled() ? "https://" : "http://";
        return server -> {
            String host = server.apiHost().contains(":") ? "[" + server.apiHost() + "]" : server.apiHost();
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + host + ":" + server.apiPort() + "/primary"))
                        .timeout(timeout).GET().build();
                return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException | IllegalArgumentException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }
}
