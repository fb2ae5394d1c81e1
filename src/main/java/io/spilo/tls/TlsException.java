package io.spilo.tls;

/** A certificate, key or CA file that cannot be used; the message names the file and what to do. */
public final class TlsException extends RuntimeException {
    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }

    public TlsException(String message) {
        super(message);
    }
}
