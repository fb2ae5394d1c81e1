package io.spilo.process;

/** An external program could not be started, timed out, or exited with an error. */
public final class ProcessFailedException extends RuntimeException {
    public ProcessFailedException(String message) {
        super(message);
    }

    public ProcessFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
