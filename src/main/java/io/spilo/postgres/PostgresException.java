package io.spilo.postgres;

/**
 * Controlling the local PostgreSQL failed; the message says which step and what to look at.
 * {@link #isTransient()} marks failures worth retrying as they are (another server did not answer),
 * as opposed to a tool that ran and refused.
 */
public final class PostgresException extends RuntimeException {
    private final boolean transientFailure;

    public PostgresException(String message) {
        this(message, null, false);
    }

    public PostgresException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private PostgresException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** A failure to reach another server: trying again later may well succeed. */
    public static PostgresException unreachable(String message, Throwable cause) {
        return new PostgresException(message, cause, true);
    }

    /**
     * A local step that failed for a reason that passes (old server processes still exiting, say)
     * and changed nothing: trying again later may well succeed.
     */
    public static PostgresException retryable(String message) {
        return new PostgresException(message, null, true);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
