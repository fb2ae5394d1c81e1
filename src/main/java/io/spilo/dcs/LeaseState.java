package io.spilo.dcs;

/**
 * The outcome of renewing this agent's lease.
 *
 * @param leaseId the lease now in use (a new one if the old one had expired)
 * @param renewedAtNanos monotonic time at which the renewal request was <em>sent</em>: the lease
 *     cannot expire before {@code renewedAtNanos + ttl}, which is what leadership checks rely on
 * @param replaced true when the previous lease had expired and a new one was granted; keys that
 *     lived on the old lease (member, leader) are gone
 */
public record LeaseState(long leaseId, long renewedAtNanos, boolean replaced) {
}
