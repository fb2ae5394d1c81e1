package io.spilo.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for a demo or a test cluster: one CA, and per node a certificate
 * for its host names and addresses, good for servers and clients (REST, etcd, PostgreSQL and
 * replication all use the same one). Keys are ECDSA P-256; files are written 0600. Production
 * clusters bring certificates from their own CA.
 */
public final class CertificateAuthority {
    private static final Duration VALIDITY = Duration.ofDays(825);
    private static final SecureRandom RANDOM = new SecureRandom();
    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new CA named {@code commonName}. */
    public static CertificateAuthority create(String commonName) {
        KeyPair keys = newKeys();
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(3600)),
                    Date.from(now.plus(VALIDITY)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(keys, sign(builder, keys));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new TlsException("cannot create a CA certificate: " + e.getMessage(), e);
        }
    }

    /** The certificate and key files of one node. */
    public record Issued(Path certificate, Path privateKey) {
    }

    /**
     * Issues a certificate for {@code commonName} whose subject alternative names are {@code hosts}
     * (addresses become IP entries, the rest DNS names) and writes {@code <directory>/<fileStem>.crt}
     * and {@code .key}. An empty {@code commonName} gives a subject without one (the names are then
     * only in the critical SAN extension): etcd refuses client certificates with a CN on its HTTP
     * gateway, which Patroni's etcd3 client uses, when it runs with {@code --client-cert-auth}.
     */
    public Issued issue(String commonName, List<String> hosts, Path directory, String fileStem) {
        KeyPair node = newKeys();
        Instant now = Instant.now();
        try {
            List<GeneralName> names = new ArrayList<>();
            for (String host : hosts) {
                names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, host));
            }
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minusSeconds(3600)),
                    Date.from(now.plus(VALIDITY)), commonName.isEmpty() ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                    : new X500Name("CN=" + commonName), node.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, commonName.isEmpty(), new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
            X509Certificate issued = sign(builder, keys);
            Path certificateFile = directory.resolve(fileStem + ".crt");
            Path keyFile = directory.resolve(fileStem + ".key");
            PemFiles.writePublic(certificateFile, pem(issued));
            // PKCS#8 ("BEGIN PRIVATE KEY"): what etcd, HAProxy, PostgreSQL and the JDK all read.
            PemFiles.writePrivate(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(node.getPrivate(), null).generate()));
            return new Issued(certificateFile, keyFile);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
        }
    }

    /** Writes the CA's certificate (not its key) to {@code file}. */
    public Path writeCertificate(Path file) {
        PemFiles.writePublic(file, pem(certificate));
        return file;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    private static boolean isAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot generate an EC key: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
