package io.spilo.ha;

/**
 * A long action (promote, restart, clone, rewind, initdb, switchover) running on the long-action
 * executor while the loop keeps its heartbeat.
 *
 * @param state what the member publishes while it runs
 * @param description a sentence for logs and {@code /patroni}
 * @param startedAtNanos monotonic time it was handed to the executor
 */
public record ActionInProgress(MemberState state, String description, long startedAtNanos) {
}
