package io.spilo.ha;

/** A member's answer to a leader's {@code POST /failsafe}. */
public enum FailsafeReply {
    /** No primary runs here: the caller may go on as the leader. */
    ACCEPTED,
    /** {@code failsafe_mode} is off in this member's configuration. */
    NOT_ENABLED,
    /** This member runs a primary itself: two primaries must not vouch for each other. */
    RUNNING_AS_LEADER,
    /** The agent has not completed a cycle yet. */
    STARTING
}
