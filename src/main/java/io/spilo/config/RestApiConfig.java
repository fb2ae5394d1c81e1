package io.spilo.config;

import java.util.List;
import java.util.Optional;

/**
 * {@code restapi:} — where the agent's REST API listens, how other members reach it, the Basic
 * credentials actions need, and with {@code certfile} HTTPS: {@code verify_client}, {@code ciphers}
 * (OpenSSL-style names are not translated: JSSE cipher suite names, comma- or colon-separated),
 * and {@code allowlist} (addresses or CIDR ranges allowed to call actions, plus the members' own
 * addresses with {@code allowlist_include_members}).
 */
public record RestApiConfig(
        HostPort listen,
        HostPort connectAddress,
        Optional<Credentials> authentication,
        TlsSettings tls,
        VerifyClient verifyClient,
        List<String> ciphers,
        List<String> allowlist,
        boolean allowlistIncludeMembers) {
    public RestApiConfig {
        ciphers = List.copyOf(ciphers);
        allowlist = List.copyOf(allowlist);
    }

    /** Plain HTTP, no client checks. */
    public RestApiConfig(HostPort listen, HostPort connectAddress, Optional<Credentials> authentication) {
        this(listen, connectAddress, authentication, TlsSettings.NONE, VerifyClient.NONE, List.of(), List.of(), false);
    }

    public boolean https() {
        return tls.certificate().isPresent();
    }

    public String apiUrl() {
        return (https() ? "https://" : "http://") + connectAddress + "/patroni";
    }
}
