package io.spilo.dcs;

/** The configuration store could not be reached or answered an error; the message says what was attempted. */
public final class DcsException extends RuntimeException {
    public DcsException(String message, Throwable cause) {
        super(message, cause);
    }

    public DcsException(String message) {
        super(message);
    }
}
