package io.spilo.postgres;

/** Whether the local postmaster is there and answering. */
public enum RunState {
    /** No live postmaster for this data directory. */
    STOPPED,
    /** A postmaster is alive but does not accept connections yet (starting, recovering, shutting down). */
    STARTING,
    /** A postmaster answers queries. */
    RUNNING
}
