package io.spilo.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.spilo.config.TlsSettings;
import io.spilo.tls.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The files of a demo run with {@code --tls}, in {@code <dir>/tls}: a CA made for this demo, one
 * certificate for the etcd members, one per node (its REST API, its PostgreSQL server and its etcd
 * client), and one for the operator (commands, HAProxy's checks, curl). Made once and kept, so a
 * demo brought back keeps trusting its own data.
 */
public record DemoTls(
        @JsonProperty("ca") String ca,
        @JsonProperty("client_certificate") String clientCertificate,
        @JsonProperty("client_key") String clientKey) {
    private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");

    /** Creates the CA and every certificate, unless an earlier run of this demo did. */
    static DemoTls createOrReuse(Path directory, List<String> nodeNames) throws IOException {
        Path files = directory.resolve("tls");
        Path caFile = files.resolve("ca.crt");
        if (!Files.exists(caFile)) {
            Files.createDirectories(files);
            // PostgreSQL (another user when the demo runs as root) reads its node's files through this directory.
            Files.setPosixFilePermissions(files, PosixFilePermissions.fromString("rwxr-xr-x"));
            CertificateAuthority authority = CertificateAuthority.create("Spilo demo CA");
            authority.issue("etcd", LOOPBACK, files, "etcd");
            for (String node : nodeNames) {
                CertificateAuthority.Issued issued = authority.issue(node, LOOPBACK, files, node);
                givePostgresUser(issued.privateKey());
            }
            // Without a CN: etcd's HTTP gateway (what patronictl uses) refuses client certificates with one.
            authority.issue("", LOOPBACK, files, "client");
            authority.writeCertificate(caFile);
        }
        return new DemoTls(caFile.toString(), files.resolve("client.crt").toString(), files.resolve("client.key").toString());
    }

    /** The operator's side: the client certificate, and the CA that every server's certificate chains to. */
    TlsSettings client() {
        return new TlsSettings(Optional.of(Path.of(clientCertificate)), Optional.of(Path.of(clientKey)), Optional.empty(),
                Optional.of(Path.of(ca)), false);
    }

    Path certificate(String name) {
        return Path.of(ca).resolveSibling(name + ".crt");
    }

    Path key(String name) {
        return Path.of(ca).resolveSibling(name + ".key");
    }

    /** PostgreSQL reads its server key only if the key is its own and 0600; the agent reads it as root. */
    private static void givePostgresUser(Path key) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return; // PostgreSQL runs as this user
        }
        Files.setOwner(key, key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    }
}
