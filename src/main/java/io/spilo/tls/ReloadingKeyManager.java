package io.spilo.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This end's certificate and key, read again at the start of a handshake when either file changed:
 * a renewed certificate is served to new connections without a restart. A handshake asks for the
 * alias first and for the chain and key by that alias afterwards, so each reading is kept under an
 * alias of its own and the last two stay available: a reload between the two calls cannot pair a
 * new chain with an old key. A file that cannot be read keeps the previous material (and says so).
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private record Material(X509Certificate[] chain, PrivateKey key) {
    }

    private final Path certificate;
    private final Path key;
    private final Optional<String> password;
    // Guarded by this.
    private final Map<String, Material> recent = new LinkedHashMap<>();
    // Guarded by this.
    private FileStamps stamps;
    // Guarded by this.
    private String alias;
    // Guarded by this.
    private int generation;

    /** Reads the files once now: a wrong file fails the agent's start with the file's name. */
    ReloadingKeyManager(Path certificate, Path key, Optional<String> password) {
        this.certificate = certificate;
        this.key = key;
        this.password = password;
        synchronized (this) {
            FileStamps now = FileStamps.of(List.of(certificate, key));
            install(read(), now);
        }
    }

    private Material read() {
        List<X509Certificate> chain = PemFiles.certificates(certificate);
        PrivateKey privateKey = PemFiles.privateKey(key, password);
        if (!PemFiles.keyMatches(chain.get(0), privateKey)) {
            // Also what a rotation looks like between writing the new certificate and the new key: wait for the key.
            throw new TlsException(key + " is not the private key of the certificate in " + certificate);
        }
        return new Material(chain.toArray(X509Certificate[]::new), privateKey);
    }

    // Guarded by this.
    private void install(Material material, FileStamps now) {
        alias = "spilo-" + (++generation);
        recent.put(alias, material);
        while (recent.size() > 2) {
            recent.remove(recent.keySet().iterator().next());
        }
        stamps = now;
    }

    private synchronized String currentAlias() {
        FileStamps now = FileStamps.of(List.of(certificate, key));
        if (!now.equals(stamps)) {
            try {
                install(read(), now);
                LOG.info("TLS: read {} again (the file changed); new connections use it", certificate);
            } catch (TlsException e) {
                stamps = now;
                LOG.warn("TLS: {} changed but cannot be used, keeping the previous certificate: {}", certificate, e.getMessage());
            }
        }
        return alias;
    }

    private synchronized Material material(String name) {
        return recent.get(name);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return currentAlias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return currentAlias();
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return currentAlias();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return currentAlias();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {currentAlias()};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {currentAlias()};
    }

    @Override
    public X509Certificate[] getCertificateChain(String name) {
        Material material = material(name);
        return material == null ? null : material.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String name) {
        Material material = material(name);
        return material == null ? null : material.key();
    }
}
