package io.spilo.tls;

import io.spilo.config.TlsSettings;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** SSL contexts from {@link TlsSettings}: the files are read now (a bad file fails here, by name) and again when they change. */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** A server's context: its certificate and key; client certificates checked against the CA file when one is set. */
    public static SSLContext server(TlsSettings settings) {
        KeyManager keys = keyManager(settings).orElseThrow(() -> new TlsException("HTTPS needs a certificate file (certfile)"));
        return context(new KeyManager[] {keys}, settings.caCertificate().map(ca -> new TrustManager[] {new ReloadingTrustManager(ca)})
                .orElse(null));
    }

    /**
     * A client's context: its certificate when one is set (for servers that require one), the
     * server checked against the CA file (or the JDK's default CAs without one), or nothing checked
     * with {@code insecure}.
     */
    public static SSLContext client(TlsSettings settings) {
        KeyManager[] keys = keyManager(settings).map(manager -> new KeyManager[] {manager}).orElse(null);
        TrustManager[] trust = settings.insecure() ? new TrustManager[] {new TrustingEveryone()}
                : settings.caCertificate().map(ca -> new TrustManager[] {new ReloadingTrustManager(ca)}).orElse(null);
        return context(keys, trust);
    }

    /**
     * For clients that build their own TLS engine (jetcd's Netty): the certificate to present, read
     * again when its files change; empty without a certificate file.
     */
    public static Optional<KeyManager> keyManager(TlsSettings settings) {
        return settings.certificate().map(certificate -> new ReloadingKeyManager(certificate, settings.keyFile().orElseThrow(),
                settings.privateKeyPassword()));
    }

    /** For clients that build their own TLS engine: the CA file's check, re-read when it changes; empty without one. */
    public static Optional<TrustManager> trustManager(TlsSettings settings) {
        return settings.caCertificate().map(ReloadingTrustManager::new);
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** {@code ctl.insecure}: the operator chose to trust any server (and any host name). */
    private static final class TrustingEveryone extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
