package io.spilo.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.spilo.config.Credentials;
import io.spilo.config.RestApiConfig;
import io.spilo.config.VerifyClient;
import io.spilo.dcs.Member;
import io.spilo.ha.NodeStatus;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who may call an action (POST, PUT, PATCH, DELETE): Patroni's rules. With an allowlist, only the
 * listed addresses and ranges (plus the members' own addresses with {@code allowlist_include_members})
 * get past the first check (403 otherwise). Then, with {@code verify_client: optional}, a client
 * certificate that passed the handshake is enough, else Basic credentials are needed; with
 * {@code none} or {@code required} (where the handshake already demanded a certificate), the Basic
 * credentials of {@code restapi.authentication} are needed when they are configured.
 */
final class ActionAccess {
    /** Why a call was refused: the HTTP status and a sentence for the caller. */
    record Refusal(int status, String reason) {
    }

    /** An address range: {@code bits} leading bits of {@code network}. */
    private record Range(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            BigInteger mask = BigInteger.ONE.shiftLeft(network.length * 8).subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(network.length * 8 - bits).subtract(BigInteger.ONE));
            return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    private final Optional<Credentials> authentication;
    private final VerifyClient verifyClient;
    private final List<Range> allowlist;
    private final boolean includeMembers;

    ActionAccess(RestApiConfig config) {
        this.authentication = config.authentication();
        this.verifyClient = config.https() ? config.verifyClient() : VerifyClient.NONE;
        this.includeMembers = config.allowlistIncludeMembers();
        List<Range> ranges = new ArrayList<>();
        for (String entry : config.allowlist()) {
            ranges.addAll(ranges(entry, "restapi.allowlist"));
        }
        this.allowlist = List.copyOf(ranges);
    }

    /** Empty when the caller may go on. */
    Optional<Refusal> check(HttpExchange exchange, NodeStatus current) {
        if (!allowlist.isEmpty() || includeMembers) {
            InetAddress caller = exchange.getRemoteAddress().getAddress();
            boolean listed = allowlist.stream().anyMatch(range -> range.contains(caller))
                    || includeMembers && memberRanges(current).stream().anyMatch(range -> range.contains(caller));
            if (!listed) {
                return Optional.of(new Refusal(403, "access denied: " + caller.getHostAddress() + " is not in restapi.allowlist"));
            }
        }
        if (verifyClient == VerifyClient.OPTIONAL && presentedCertificate(exchange)) {
            return Optional.empty();
        }
        if (verifyClient == VerifyClient.OPTIONAL && authentication.isEmpty()) {
            return Optional.of(new Refusal(401, "not authenticated: this action needs a client certificate signed by restapi.cafile"));
        }
        if (authentication.isPresent() && !basicCredentialsMatch(exchange, authentication.get())) {
            return Optional.of(new Refusal(401, verifyClient == VerifyClient.OPTIONAL
                    ? "not authenticated: this action needs a client certificate signed by restapi.cafile or restapi.authentication credentials"
                    : "not authenticated: this action needs restapi.authentication credentials"));
        }
        return Optional.empty();
    }

    private static boolean presentedCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return false;
        }
        try {
            // The trust manager checked it during the handshake; being here means it chains to cafile.
            return https.getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException none) {
            return false;
        }
    }

    /** Compared in constant time. */
    private static boolean basicCredentialsMatch(HttpExchange exchange, Credentials expected) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] wanted = (expected.username() + ":" + Optional.ofNullable(expected.password()).orElse("")).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, wanted);
    }

    /** The hosts of the members' REST and PostgreSQL addresses, as etcd last showed them (literal addresses only). */
    private static List<Range> memberRanges(NodeStatus current) {
        List<Range> ranges = new ArrayList<>();
        current.cluster().ifPresent(view -> {
            for (Member member : view.members()) {
                hostOf(member.apiUrl()).filter(ActionAccess::isLiteral).ifPresent(host -> ranges.addAll(ranges(host, "member " + member.name())));
                member.postgresHost().filter(ActionAccess::isLiteral).ifPresent(host -> ranges.addAll(ranges(host, "member " + member.name())));
            }
        });
        return ranges;
    }

    private static Optional<String> hostOf(String url) {
        try {
            return Optional.ofNullable(URI.create(url).getHost()).map(host -> host.replace("[", "").replace("]", ""));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    /** A name in the allowlist that the resolver cannot answer within this is a configuration error, not a hang at start. */
    private static final long RESOLVE_TIMEOUT_SECONDS = 5;

    /** An address, a CIDR range, or a host name (resolved now, every address it has). */
    private static List<Range> ranges(String entry, String origin) {
        String text = entry.strip();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        try {
            List<Range> ranges = new ArrayList<>();
            for (InetAddress address : resolve(host, entry, origin)) {
                int full = address.getAddress().length * 8;
                int bits = slash < 0 ? full : Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > full) {
                    throw new ApiException(origin + ": '" + entry + "' has a prefix length outside 0.." + full);
                }
                ranges.add(new Range(address.getAddress(), bits));
            }
            return ranges;
        } catch (UnknownHostException | NumberFormatException e) {
            throw new ApiException(origin + ": '" + entry + "' is not an address, a CIDR range or a known host name");
        }
    }

    private static InetAddress[] resolve(String host, String entry, String origin) throws UnknownHostException {
        if (isLiteral(host)) {
            return InetAddress.getAllByName(host); // parsed, no lookup
        }
        java.util.concurrent.CompletableFuture<InetAddress[]> lookup = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            return lookup.get(RESOLVE_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ApiException(origin + ": '" + entry + "': the host name could not be resolved within "
                    + RESOLVE_TIMEOUT_SECONDS + " s; use an address or a CIDR range, or fix the resolver");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new UnknownHostException(host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host);
        }
    }
}
