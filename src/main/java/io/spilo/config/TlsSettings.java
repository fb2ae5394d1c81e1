package io.spilo.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One side of a TLS link, as files: this end's certificate and private key (PEM; the key may be in
 * the certificate file), the password of an encrypted key, the CA file that peers' certificates must
 * chain to, and for clients {@code insecure} (no check of the server's certificate, Patroni's
 * {@code ctl.insecure}). The files are read when a connection needs them, so a renewed certificate
 * is used without a restart.
 */
public record TlsSettings(
        Optional<Path> certificate,
        Optional<Path> privateKey,
        Optional<String> privateKeyPassword,
        Optional<Path> caCertificate,
        boolean insecure) {
    public static final TlsSettings NONE = new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);

    /** Whether connections use TLS at all. */
    public boolean enabled() {
        return certificate.isPresent() || caCertificate.isPresent() || insecure;
    }

    /** The file that holds the private key: the key file, else the certificate file. */
    public Optional<Path> keyFile() {
        return privateKey.or(() -> certificate);
    }

    @Override
    public String toString() {
        // Never the password: configs end up in logs and error messages.
        return "TlsSettings[certificate=" + certificate + ", privateKey=" + privateKey + ", caCertificate=" + caCertificate
                + ", insecure=" + insecure + (privateKeyPassword.isPresent() ? ", privateKeyPassword=<hidden>" : "") + "]";
    }
}
