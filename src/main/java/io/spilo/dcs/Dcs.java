package io.spilo.dcs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The distributed configuration store as the agent sees it. Every call is bounded by a timeout
 * and throws {@link DcsException} when the store cannot answer; a lost compare-and-set is a
 * normal {@code false}, not an exception.
 */
public interface Dcs extends AutoCloseable {
    /** Reads everything under the cluster prefix at one revision. */
    ClusterView read();

    /** Renews this agent's lease once, granting a new one if it expired. */
    LeaseState renewLease(int ttlSeconds);

    /** Writes {@code members/<name>} on the agent's lease. */
    void touchMember(MemberData memberData);

    /** Creates the leader key on the agent's lease if no leader key exists. True when this agent won. */
    boolean attemptToAcquireLeader();

    /**
     * Makes sure the leader key, which names this agent at {@code current.modRevision()}, lives on
     * the agent's current lease (after an agent restart or a lease renewal it may not).
     * False when the key changed meanwhile.
     */
    boolean reattachLeader(Leader current);

    /**
     * Deletes the leader key if it is still the one this agent last wrote (same mod_revision; by its
     * value only when this agent wrote none): a delayed delete never removes a later key.
     */
    boolean deleteLeader();

    /** Creates {@code initialize} with {@code value} if absent. True when this agent won the race. */
    boolean createInitialize(String value);

    /** Replaces {@code initialize} if it holds {@code expected}. */
    boolean replaceInitialize(String expected, String value);

    /** Deletes {@code initialize} if it still holds {@code expected} (an abandoned bootstrap). */
    boolean cancelInitialize(String expected);

    /** Writes {@code config} if absent. */
    boolean createConfig(DynamicConfig config);

    /**
     * Replaces {@code config} if its modification revision is still {@code expectedModRevision}
     * (0: the key must not exist). False when somebody changed it meanwhile.
     */
    boolean replaceConfig(ObjectNode config, long expectedModRevision);

    /** Creates {@code failover} with a request unless one is pending. False when one is. */
    boolean requestSwitchover(Switchover request);

    /** Clears {@code failover} (writes {@code {}}, as Patroni does): an operator's cancel, unconditional. */
    void clearSwitchover();

    /**
     * Clears {@code failover} as the leader: only while the leader key is still the one this agent
     * last wrote. False when it is not (a paused agent must not clear a later request).
     */
    boolean clearSwitchoverAsLeader();

    /**
     * Writes {@code sync} if its modification revision is still {@code expectedModRevision}
     * (0: it must not exist). False when somebody changed it meanwhile.
     */
    boolean writeSync(SyncState state, long expectedModRevision);

    /** Deletes {@code sync} (synchronous mode turned off). */
    void deleteSync();

    /** Deletes every key of the cluster (spilo remove). */
    void deleteCluster();

    /**
     * Writes {@code status} with the leader's WAL position, only while the leader key is still the
     * one this agent last wrote (its mod_revision is the fencing token). False when it is not.
     */
    boolean writeStatus(long optime);

    /** Replaces {@code history}, under the same condition as {@link #writeStatus}. */
    boolean writeHistory(List<HistoryEntry> history);

    /** Calls {@code onChange} (from a store thread: it must not block) whenever a key under the prefix changes. */
    void watch(Runnable onChange);

    /**
     * The deadline of every later call. The agent sets it from the cluster's live retry_timeout, so
     * a timing changed with PATCH /config also bounds the calls that decide when to demote.
     */
    void setCallTimeout(java.time.Duration timeout);

    /** Revokes the lease, so member and leader keys disappear at once. Best effort. */
    void releaseLease();

    @Override
    void close();
}
