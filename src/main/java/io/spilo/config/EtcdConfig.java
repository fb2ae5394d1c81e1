package io.spilo.config;

import java.util.List;
import java.util.Optional;

/**
 * {@code etcd3:} — the etcd endpoints (as URLs), optional credentials of etcd's role-based
 * authentication, and for https endpoints the TLS files ({@code cacert} checks etcd's certificate,
 * {@code cert}/{@code key} are presented when etcd runs with {@code --client-cert-auth}).
 */
public record EtcdConfig(List<String> endpoints, Optional<Credentials> authentication, TlsSettings tls) {
    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
    }

    public EtcdConfig(List<String> endpoints, Optional<Credentials> authentication) {
        this(endpoints, authentication, TlsSettings.NONE);
    }

    /** Whether the endpoints are reached over TLS. */
    public boolean https() {
        return endpoints.stream().anyMatch(endpoint -> endpoint.startsWith("https://"));
    }
}
