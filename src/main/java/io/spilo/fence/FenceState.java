package io.spilo.fence;

/** What {@code /patroni}, {@code /metrics} and {@code spilo list} say about the fence. */
public enum FenceState {
    /** Not armed: PostgreSQL does not run as a primary under this agent's leadership. */
    DISARMED("disarmed"),
    /** Armed and fed: it stops PostgreSQL unless fed again before the leadership window ends. */
    ARMED("armed"),
    /** It stopped PostgreSQL (not fed in time, or the agent went away) and exited. */
    FIRED("fired"),
    /** It could not be started: nothing outside the agent would stop a deposed primary. */
    UNAVAILABLE("unavailable");

    private final String text;

    FenceState(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
