package io.spilo.cli;

/** Stable exit codes of every spilo command (documented in the README). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Something needed at run time failed: etcd unreachable, a port taken, a binary missing. */
    public static final int FAILURE = 1;
    /** The configuration or the command line is wrong; nothing was started. */
    public static final int USAGE = 2;
    /** The operator answered no at a confirmation prompt (or there was nobody to answer). */
    public static final int ABORTED = 3;

    private ExitCodes() {
    }
}
