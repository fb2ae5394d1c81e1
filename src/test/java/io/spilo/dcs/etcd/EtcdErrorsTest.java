package io.spilo.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.spilo.config.Credentials;
import io.spilo.config.EtcdConfig;
import io.spilo.config.TlsSettings;
import io.spilo.dcs.DcsException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Issue 14: what jetcd throws becomes a refusal that names the file or user, or an unreachable etcd. */
class EtcdErrorsTest {
    private static final TlsSettings CLIENT_FILES = new TlsSettings(Optional.of(Path.of("/etc/spilo/etcd.crt")),
            Optional.of(Path.of("/etc/spilo/etcd.key")), Optional.empty(), Optional.of(Path.of("/etc/spilo/ca.crt")), false);
    private static final EtcdErrors TLS_WITH_USER = new EtcdErrors(new EtcdConfig(List.of("https://10.0.0.1:2379"),
            Optional.of(new Credentials("spilo", "hush")), CLIENT_FILES));
    private static final EtcdErrors PLAIN = new EtcdErrors(new EtcdConfig(List.of("http://10.0.0.1:2379"), Optional.empty()));

    @Test
    void wrongCredentialsNameTheUserAndNeverThePassword() {
        DcsException error = TLS_WITH_USER.failed("read", Status.INVALID_ARGUMENT
                .withDescription("etcdserver: authentication failed, invalid user ID or password").asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.REFUSED);
        assertThat(error.getMessage()).contains("etcd3.username 'spilo'").contains("etcd3.password").doesNotContain("hush");
    }

    @Test
    void aServerCertificateTheCaFileDoesNotSignNamesTheCaFile() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));

        DcsException error = TLS_WITH_USER.failed("read", Status.UNAVAILABLE.withCause(handshake).asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.REFUSED);
        assertThat(error.getMessage()).contains("etcd3.cacert /etc/spilo/ca.crt");
    }

    @Test
    void aRefusedClientCertificateNamesTheCertificateFile() {
        DcsException error = TLS_WITH_USER.failed("read", Status.UNAVAILABLE
                .withCause(new SSLHandshakeException("Received fatal alert: bad_certificate")).asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.REFUSED);
        assertThat(error.getMessage()).contains("etcd3.cert /etc/spilo/etcd.crt");
    }

    @Test
    void anUnavailableEtcdIsUnreachableAndAPlainTextClientIsToldAboutHttps() {
        DcsException error = PLAIN.failed("read", Status.UNAVAILABLE.withDescription("Network closed for unknown reason")
                .asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.UNREACHABLE);
        assertThat(error.getMessage()).contains("etcd3.protocol: https");
    }

    @Test
    void missingPermissionOnThePrefixIsARefusal() {
        DcsException error = TLS_WITH_USER.failed("write member key", Status.PERMISSION_DENIED
                .withDescription("etcdserver: permission denied").asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.REFUSED);
        assertThat(error.getMessage()).contains("etcd3.username 'spilo'").contains("readwrite");
    }

    @Test
    void anExpiredLeaseIsAnOrdinaryFailure() {
        DcsException error = PLAIN.failed("renew lease", Status.NOT_FOUND.withDescription("etcdserver: requested lease not found")
                .asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.FAILED);
    }

    /** jetcd hands most failures over as its own EtcdException, whose cause is not the gRPC one: its code must still count. */
    @Test
    void jetcdsOwnExceptionsAreClassifiedByTheirErrorCode() {
        io.etcd.jetcd.common.exception.EtcdException leaseGone = io.etcd.jetcd.common.exception.EtcdExceptionFactory
                .toEtcdException(Status.NOT_FOUND.withDescription("etcdserver: requested lease not found"));
        assertThat(EtcdErrors.code(new java.util.concurrent.CompletionException(leaseGone))).isEqualTo(Status.Code.NOT_FOUND);

        io.etcd.jetcd.common.exception.EtcdException denied = io.etcd.jetcd.common.exception.EtcdExceptionFactory
                .toEtcdException(Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied"));
        assertThat(TLS_WITH_USER.failed("write member key", denied).kind()).isEqualTo(DcsException.Kind.REFUSED);
        io.etcd.jetcd.common.exception.EtcdException unavailable = io.etcd.jetcd.common.exception.EtcdExceptionFactory
                .toEtcdException(Status.UNAVAILABLE.withDescription("io exception"));
        assertThat(PLAIN.failed("read", unavailable).kind()).isEqualTo(DcsException.Kind.UNREACHABLE);
    }

    @Test
    void aRefusedConnectionIsUnreachableWithoutTheTlsHint() {
        DcsException error = PLAIN.failed("read", Status.UNAVAILABLE.withCause(new java.net.ConnectException("Connection refused"))
                .asRuntimeException());

        assertThat(error.kind()).isEqualTo(DcsException.Kind.UNREACHABLE);
        assertThat(error.getMessage()).contains("Connection refused").doesNotContain("etcd3.protocol");
    }
}
