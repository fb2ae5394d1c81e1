package io.spilo.ha;

import io.spilo.postgres.LocalState;
import java.util.Optional;

/**
 * Patroni's member {@code state}, as published in the member key and {@code /patroni}: what
 * PostgreSQL is doing, or the long action the agent is running on it.
 */
public enum MemberState {
    RUNNING("running"),
    STARTING("starting"),
    STOPPED("stopped"),
    STOPPING("stopping"),
    RESTARTING("restarting"),
    PROMOTING("promoting"),
    CREATING_REPLICA("creating replica"),
    REWINDING("rewinding"),
    INITIALIZING("initializing new cluster"),
    REINITIALIZING("reinitializing");

    private final String text;

    MemberState(String text) {
        this.text = text;
    }

    /** The word on the wire. */
    public String text() {
        return text;
    }

    /** A long action in progress names the state; otherwise PostgreSQL's own run state does. */
    public static MemberState of(LocalState local, Optional<ActionInProgress> action) {
        if (action.isPresent()) {
            return action.get().state();
        }
        return switch (local.runState()) {
            case RUNNING -> RUNNING;
            case STARTING -> STARTING;
            case STOPPED -> STOPPED;
        };
    }
}
