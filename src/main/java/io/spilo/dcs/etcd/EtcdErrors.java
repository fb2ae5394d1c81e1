package io.spilo.dcs.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.spilo.config.EtcdConfig;
import io.spilo.dcs.DcsException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Turns what jetcd throws into a {@link DcsException} of the right {@link DcsException.Kind}, with
 * one line that says what to fix: a refused certificate names the file, refused credentials name
 * the user. Decided by exception type and gRPC status code, never by message text.
 */
final class EtcdErrors {
    private final EtcdConfig config;
    private final String endpoints;

    EtcdErrors(EtcdConfig config) {
        this.config = config;
        this.endpoints = String.join(",", config.endpoints());
    }

    DcsException failed(String what, Throwable error) {
        if (find(error, CertificateException.class) != null) {
            return refused(what, "etcd's certificate is not trusted: " + rootMessage(error) + "; etcd3.cacert "
                    + config.tls().caCertificate().map(Object::toString).orElse("(not set: the JDK's CAs)")
                    + " must hold the CA that signed it, and the certificate must name the host in etcd3.hosts", error);
        }
        if (find(error, SSLException.class) != null) {
            return refused(what, "etcd refused the TLS handshake (" + rootMessage(error) + "); "
                    + config.tls().certificate().map(file -> "etcd3.cert " + file + " must be signed by a CA etcd trusts"
                            + " (its --trusted-ca-file)").orElse("etcd requires a client certificate: set etcd3.cert and etcd3.key"),
                    error);
        }
        Status.Code code = code(error);
        String user = config.authentication().map(credentials -> "etcd3.username '" + credentials.username() + "'").orElse("");
        return switch (code) {
            case UNAUTHENTICATED, INVALID_ARGUMENT -> config.authentication().isPresent() || code == Status.Code.UNAUTHENTICATED
                    ? refused(what, config.authentication().isPresent()
                            ? user + " was refused: wrong user name or password (etcd3.password)"
                            : "etcd requires a user: set etcd3.username and etcd3.password", error)
                    : new DcsException("etcd at " + endpoints + " failed '" + what + "': " + rootMessage(error), error);
            case PERMISSION_DENIED -> refused(what, (user.isEmpty() ? "this client" : user)
                    + " may not do this: grant its etcd role readwrite on the cluster's prefix", error);
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED, RESOURCE_EXHAUSTED -> new DcsException(DcsException.Kind.UNREACHABLE,
                    "etcd at " + endpoints + " did not answer '" + what + "': " + rootMessage(error) + plainTextHint(error), error);
            case OK, UNKNOWN, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, DATA_LOSS ->
                    new DcsException("etcd at " + endpoints + " failed '" + what + "': " + rootMessage(error), error);
        };
    }

    /**
     * The gRPC status code of a failed call: jetcd turns most of them into its own
     * {@link EtcdException}, whose cause is not the gRPC exception, so its error code is read first.
     */
    static Status.Code code(Throwable error) {
        EtcdException etcd = find(error, EtcdException.class);
        if (etcd != null) {
            return Status.Code.valueOf(etcd.getErrorCode().name());
        }
        return Status.fromThrowable(error).getCode();
    }

    private DcsException refused(String what, String reason, Throwable error) {
        return new DcsException(DcsException.Kind.REFUSED, "etcd at " + endpoints + " refused '" + what + "': " + reason, error);
    }

    /**
     * A plain-text client talking to a TLS-only etcd sees the connection closed, nothing more
     * telling; a refused connection (nobody listens) is no such case and gets no hint.
     */
    private String plainTextHint(Throwable error) {
        return config.https() || find(error, java.net.ConnectException.class) != null ? ""
                : " (if etcd serves TLS, set etcd3.protocol: https and etcd3.cacert)";
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable current = error; current != null; current = current.getCause() == current ? null : current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
        }
        return null;
    }

    static String rootMessage(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        String message = current.getMessage();
        return (message == null || message.isBlank() ? current.getClass().getSimpleName() : message).lines().findFirst().orElse("");
    }
}
