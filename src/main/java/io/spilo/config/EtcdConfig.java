package io.spilo.config;

import java.util.List;
import java.util.Optional;

/** {@code etcd3:} — the etcd endpoints (as URLs) and optional credentials. */
public record EtcdConfig(List<String> endpoints, Optional<Credentials> authentication) {
    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
    }
}
