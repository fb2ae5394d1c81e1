package io.spilo.tls;

import io.spilo.config.PrivateFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads PEM files as OpenSSL, etcd, HAProxy and PostgreSQL write them: certificate chains, and
 * private keys in PKCS#1, SEC1 or PKCS#8 form, encrypted or not. Bouncy Castle parses them (the JDK
 * reads only unencrypted PKCS#8); its provider is used for decryption only and never registered.
 */
public final class PemFiles {
    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

    private PemFiles() {
    }

    /** Every certificate in the file, in order (the first one is the end entity's in a chain). */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsException(file + ": a certificate cannot be read: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in this file");
        }
        return certificates;
    }

    /** The first private key in the file, decrypted with {@code password} when it is encrypted. */
    public static PrivateKey privateKey(Path file, Optional<String> password) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            for (Object object : objects(file)) {
                if (object instanceof PEMKeyPair pair) {
                    // A SEC1 EC key may come without its public half: take the private key info alone.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMEncryptedKeyPair encrypted) {
                    char[] secret = required(file, password);
                    return converter.getPrivateKey(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(PROVIDER)
                            .build(secret)).getPrivateKeyInfo());
                }
                if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    char[] secret = required(file, password);
                    return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                            .setProvider(PROVIDER).build(secret)));
                }
            }
        } catch (IOException | PKCSException | OperatorCreationException e) {
            throw new TlsException(file + ": the private key cannot be read (wrong keyfile_password?): " + e.getMessage(), e);
        }
        throw new TlsException(file + ": no PEM private key (-----BEGIN ... PRIVATE KEY-----) in this file");
    }

    /**
     * Writes the certificate chain and the (decrypted) private key into one PEM file, created 0600:
     * the form HAProxy's {@code crt} wants.
     */
    public static void writeCombined(Path certificate, Path key, Optional<String> password, Path target) {
        List<X509Certificate> chain = certificates(certificate);
        PrivateKey privateKey = privateKey(key, password);
        if (!keyMatches(chain.get(0), privateKey)) {
            throw new TlsException(key + " is not the private key of the certificate in " + certificate);
        }
        java.io.StringWriter text = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(text)) {
            for (X509Certificate link : chain) {
                writer.writeObject(link);
            }
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(privateKey, null).generate());
        } catch (IOException e) {
            throw new TlsException(target + ": cannot be written: " + e.getMessage(), e);
        }
        writePrivate(target, text.toString());
    }

    /** Whether a signature by {@code key} verifies with the certificate's public key. */
    static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().equals("RSA") ? "SHA256withRSA"
                : key.getAlgorithm();
        try {
            byte[] probe = "spilo key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static char[] required(Path file, Optional<String> password) {
        return password.orElseThrow(() -> new TlsException(file + ": the private key is encrypted: set keyfile_password")).toCharArray();
    }

    private static List<Object> objects(Path file) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new TlsException(file + ": no such file", e);
        } catch (IOException e) {
            throw new TlsException(file + ": cannot be read as PEM: " + e.getMessage(), e);
        }
        return objects;
    }

    /** Through {@link PrivateFiles}: a key is never readable by others, not even for a moment. */
    static void writePrivate(Path file, String content) {
        try {
            PrivateFiles.write(file, content);
        } catch (IOException e) {
            throw new TlsException(file + ": cannot be written: " + e.getMessage(), e);
        }
    }

    /** A certificate is public: readable by every user, so PostgreSQL and other services may read the same file. */
    static void writePublic(Path file, String content) {
        writePrivate(file, content);
        try {
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new TlsException(file + ": cannot be made readable: " + e.getMessage(), e);
        }
    }
}
