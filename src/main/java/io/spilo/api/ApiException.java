package io.spilo.api;

/** The REST API cannot be served (for example its port is taken); the message says what to change. */
public final class ApiException extends RuntimeException {
    public ApiException(String message) {
        super(message);
    }
}
