package io.spilo.backup;

/** A pgBackRest step that failed, with its category: callers decide on the kind, never on the message. */
public final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The member's pgBackRest files or the repository directory cannot be written. */
        SETUP,
        /** pgBackRest is not installed where backup.program says. */
        MISSING_PROGRAM,
        /** pgBackRest failed, or did not finish in time and was stopped (its last lines are in the message). */
        FAILED
    }

    private final Kind kind;

    public BackupException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackupException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
