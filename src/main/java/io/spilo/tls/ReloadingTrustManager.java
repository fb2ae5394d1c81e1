package io.spilo.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusts the certificates in one CA file, read again when the file changes. Checks are the JDK's
 * PKIX ones, hostname verification included where the connection asks for it (HTTPS clients do).
 */
final class ReloadingTrustManager extends X509ExtendedTrustManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingTrustManager.class);
    private final Path caFile;
    // Guarded by this.
    private X509ExtendedTrustManager delegate;
    // Guarded by this.
    private FileStamps stamps;

    ReloadingTrustManager(Path caFile) {
        this.caFile = caFile;
        synchronized (this) {
            stamps = FileStamps.of(List.of(caFile));
            delegate = read(caFile);
        }
    }

    static X509ExtendedTrustManager read(Path caFile) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (X509Certificate certificate : PemFiles.certificates(caFile)) {
                store.setCertificateEntry("ca-" + (index++), certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new TlsException(caFile + ": the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsException(caFile + ": cannot be used as a CA file: " + e.getMessage(), e);
        }
    }

    private synchronized X509ExtendedTrustManager current() {
        FileStamps now = FileStamps.of(List.of(caFile));
        if (!now.equals(stamps)) {
            stamps = now;
            try {
                delegate = read(caFile);
                LOG.info("TLS: read the CA file {} again (it changed)", caFile);
            } catch (TlsException e) {
                LOG.warn("TLS: {} changed but cannot be used, keeping the previous CA: {}", caFile, e.getMessage());
            }
        }
        return delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        current().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        current().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        current().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        current().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        current().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        current().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return current().getAcceptedIssuers();
    }
}
