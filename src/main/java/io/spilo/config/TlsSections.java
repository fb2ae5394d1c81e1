package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The TLS keys of {@code restapi} and {@code ctl}, with Patroni's names and fallbacks. */
final class TlsSections {
    private TlsSections() {
    }

    static RestApiConfig restApi(ConfigTree tree, HostPort listen, HostPort connect, Optional<Credentials> authentication) {
        Optional<Path> certificate = file(tree, "restapi.certfile");
        Optional<Path> key = file(tree, "restapi.keyfile");
        Optional<Path> ca = file(tree, "restapi.cafile");
        Optional<String> password = tree.optionalText("restapi.keyfile_password");
        VerifyClient verify = switch (tree.optionalText("restapi.verify_client").orElse("none").toLowerCase(Locale.ROOT)) {
            case "none" -> VerifyClient.NONE;
            case "optional" -> VerifyClient.OPTIONAL;
            case "required" -> VerifyClient.REQUIRED;
            default -> throw new ConfigException("restapi.verify_client: '" + tree.optionalText("restapi.verify_client").get()
                    + "' must be none, optional or required");
        };
        if (certificate.isEmpty()) {
            for (String dependent : List.of("keyfile", "keyfile_password", "cafile", "ciphers", "verify_client")) {
                if (!tree.at("restapi." + dependent).isMissingNode()) {
                    throw new ConfigException("restapi." + dependent + ": set restapi.certfile too (HTTPS needs the server's certificate)");
                }
            }
        }
        if (verify != VerifyClient.NONE && ca.isEmpty()) {
            throw new ConfigException("restapi.verify_client: " + verify.name().toLowerCase(Locale.ROOT)
                    + " needs restapi.cafile, the CA that client certificates must be signed by");
        }
        List<String> ciphers = tree.optionalText("restapi.ciphers").map(text -> List.of(text.split("[,:]\\s*"))).orElse(List.of());
        TlsSettings tls = new TlsSettings(certificate, key, password, ca, false);
        return new RestApiConfig(listen, connect, authentication, tls, verify, ciphers, textList(tree, "restapi.allowlist"),
                tree.bool("restapi.allowlist_include_members", false));
    }

    /**
     * How REST calls are made (by the agent to its peers, and by the operator commands): Patroni's
     * {@code ctl} keys, each falling back to the {@code restapi} key of the same role, so a member
     * presents its own certificate to peers that require one.
     */
    static TlsSettings ctl(ConfigTree tree) {
        Optional<Path> ctlCertificate = file(tree, "ctl.certfile");
        Optional<Path> certificate = ctlCertificate.or(() -> file(tree, "restapi.certfile"));
        Optional<Path> key = ctlCertificate.isPresent() ? file(tree, "ctl.keyfile") : file(tree, "restapi.keyfile");
        Optional<String> password = ctlCertificate.isPresent() ? tree.optionalText("ctl.keyfile_password")
                : tree.optionalText("restapi.keyfile_password");
        Optional<Path> ca = file(tree, "ctl.cacert").or(() -> file(tree, "restapi.cafile"));
        return new TlsSettings(certificate, key, password, ca, tree.bool("ctl.insecure", false));
    }

    /**
     * Patroni's {@code etcd3.cacert}, {@code cert} and {@code key}: the CA that etcd's certificate
     * must chain to (the JDK's CAs without it), and the client certificate for an etcd that
     * requires one. The key may be inside the certificate file.
     */
    static TlsSettings etcd(ConfigTree tree) {
        Optional<Path> certificate = file(tree, "etcd3.cert");
        Optional<Path> key = file(tree, "etcd3.key");
        if (key.isPresent() && certificate.isEmpty()) {
            throw new ConfigException("etcd3.key: set etcd3.cert too (the client certificate that goes with the key)");
        }
        return new TlsSettings(certificate, key, Optional.empty(), file(tree, "etcd3.cacert"), false);
    }

    private static Optional<Path> file(ConfigTree tree, String path) {
        return tree.optionalText(path).map(text -> ConfigTree.absolutePath(path, text));
    }

    private static List<String> textList(ConfigTree tree, String path) {
        JsonNode node = tree.at(path);
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText().strip()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            for (String value : node.asText().split(",")) {
                values.add(value.strip());
            }
        }
        values.removeIf(String::isEmpty);
        return values;
    }
}
