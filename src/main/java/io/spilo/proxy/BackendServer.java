package io.spilo.proxy;

import io.spilo.dcs.Member;
import java.util.Optional;

/** One member as an HAProxy server: PostgreSQL address for traffic, REST address for checks. */
public record BackendServer(String name, String postgresHost, int postgresPort, String apiHost, int apiPort) {
    public static Optional<BackendServer> of(Member member) {
        if (member.postgresHost().isEmpty() || member.apiHost().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BackendServer(serverName(member.name()), member.postgresHost().get(),
                member.postgresPort().orElseThrow(), member.apiHost().get(), member.apiPort().orElseThrow()));
    }

    /** HAProxy server names allow letters, digits and {@code -_.:}; anything else becomes '_'. */
    static String serverName(String memberName) {
        return memberName.replaceAll("[^A-Za-z0-9_.:-]", "_");
    }
}
