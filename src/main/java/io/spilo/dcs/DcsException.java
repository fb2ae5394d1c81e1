package io.spilo.dcs;

/** The configuration store could not be reached or answered an error; the message says what was attempted. */
public final class DcsException extends RuntimeException {
    /** Why a call failed, for callers that act differently on each (never their message text). */
    public enum Kind {
        /** No answer: the store is down, partitioned or slow. Retrying, or a member's last view, may help. */
        UNREACHABLE,
        /** The store answered and refused us: TLS or credentials are wrong. Only the configuration can fix it. */
        REFUSED,
        /** Any other error the store answered with. */
        FAILED
    }

    private final Kind kind;

    public DcsException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public DcsException(String message, Throwable cause) {
        this(Kind.FAILED, message, cause);
    }

    public DcsException(String message) {
        super(message);
        this.kind = Kind.FAILED;
    }

    public Kind kind() {
        return kind;
    }
}
