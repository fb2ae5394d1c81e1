package io.spilo.proxy;

/** HAProxy cannot be configured or run; the message says what to change. */
public final class ProxyException extends RuntimeException {
    public ProxyException(String message) {
        super(message);
    }
}
