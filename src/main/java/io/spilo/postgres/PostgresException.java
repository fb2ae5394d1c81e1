package io.spilo.postgres;

/** Controlling the local PostgreSQL failed; the message says which step and what to look at. */
public final class PostgresException extends RuntimeException {
    public PostgresException(String message) {
        super(message);
    }

    public PostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
