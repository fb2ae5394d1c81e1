package io.spilo.config;

import java.util.Optional;

/** {@code restapi:} — where the agent's REST API listens and how other members reach it. */
public record RestApiConfig(HostPort listen, HostPort connectAddress, Optional<Credentials> authentication) {
    public String apiUrl() {
        return "http://" + connectAddress + "/patroni";
    }
}
