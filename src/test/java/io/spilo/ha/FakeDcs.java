package io.spilo.ha;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.LeaseState;
import io.spilo.dcs.MemberData;
import io.spilo.dcs.Switchover;
import io.spilo.dcs.SyncState;
import java.util.List;

/** One member's connection to the {@link FakeStore}; {@link #cutOff()} makes every call fail as an unreachable etcd would. */
public final class FakeDcs implements Dcs {
    private final FakeStore store;
    private final String memberName;
    private final FakeClock clock;
    private volatile boolean reachable = true;
    private long leaseId;
    private volatile long leaderRevision;

    public FakeDcs(FakeStore store, String memberName, FakeClock clock) {
        this.store = store;
        this.memberName = memberName;
        this.clock = clock;
    }

    public void cutOff() {
        reachable = false;
    }

    public void reconnect() {
        reachable = true;
    }

    private void check() {
        if (!reachable) {
            throw new DcsException("etcd is unreachable (cut off by the test)");
        }
    }

    @Override
    public ClusterView read() {
        check();
        return store.read();
    }

    @Override
    public LeaseState renewLease(int ttlSeconds) {
        check();
        long sentAt = clock.getAsLong();
        long previous = leaseId;
        leaseId = store.renew(leaseId, ttlSeconds);
        return new LeaseState(leaseId, sentAt, previous != 0 && previous != leaseId);
    }

    @Override
    public void touchMember(MemberData memberData) {
        check();
        store.putMember(memberName, memberData, leaseId);
    }

    /** The next successful acquisition commits in the store but its answer is lost (a timeout after the commit). */
    public volatile boolean loseNextAcquireAnswer;

    @Override
    public boolean attemptToAcquireLeader() {
        check();
        boolean acquired = store.acquireLeader(memberName, leaseId);
        if (acquired) {
            leaderRevision = store.leaderRevisionOf(memberName);
        }
        if (acquired && loseNextAcquireAnswer) {
            loseNextAcquireAnswer = false;
            throw new DcsException("acquire leader key: no answer within the deadline (the test lost it after the commit)");
        }
        return acquired;
    }

    @Override
    public boolean reattachLeader(Leader current) {
        check();
        boolean ours = store.reattachLeader(memberName, current.modRevision(), leaseId);
        leaderRevision = ours ? store.leaderRevisionOf(memberName) : 0;
        return ours;
    }

    @Override
    public boolean deleteLeader() {
        check();
        long written = leaderRevision;
        leaderRevision = 0;
        return written > 0 ? store.deleteLeaderAt(written) : store.deleteLeader(memberName);
    }

    @Override
    public boolean createInitialize(String value) {
        check();
        return store.createInitialize(value);
    }

    @Override
    public boolean replaceInitialize(String expected, String value) {
        check();
        return store.replaceInitialize(expected, value);
    }

    @Override
    public boolean cancelInitialize(String expected) {
        check();
        return store.cancelInitialize(expected);
    }

    @Override
    public boolean createConfig(DynamicConfig config) {
        check();
        return store.createConfig(config);
    }

    @Override
    public boolean replaceConfig(ObjectNode config, long expectedModRevision) {
        check();
        store.putConfig(new DynamicConfig(config, 0));
        return true;
    }

    @Override
    public boolean requestSwitchover(Switchover request) {
        check();
        return store.requestSwitchover(request);
    }

    @Override
    public void clearSwitchover() {
        check();
        store.clearSwitchover();
    }

    @Override
    public boolean clearSwitchoverAsLeader() {
        check();
        if (!store.leaderAt(leaderRevision)) {
            return false;
        }
        store.clearSwitchover();
        return true;
    }

    @Override
    public boolean writeSync(SyncState state, long expectedModRevision) {
        check();
        return store.writeSync(state, expectedModRevision);
    }

    @Override
    public void deleteSync() {
        check();
        store.deleteSync();
    }

    @Override
    public void deleteCluster() {
        check();
        store.deleteCluster();
    }

    @Override
    public boolean writeStatus(long optime) {
        check();
        if (!store.leaderAt(leaderRevision)) {
            return false;
        }
        store.writeStatus(optime);
        return true;
    }

    @Override
    public boolean writeHistory(List<HistoryEntry> history) {
        check();
        if (!store.leaderAt(leaderRevision)) {
            return false;
        }
        store.writeHistory(history);
        return true;
    }

    @Override
    public void watch(Runnable onChange) {
        // The harness runs cycles explicitly; nothing to wake.
    }

    /** The deadline the loop asked for last (the fake answers at once). */
    public volatile java.time.Duration callTimeout;

    @Override
    public void setCallTimeout(java.time.Duration timeout) {
        callTimeout = timeout;
    }

    @Override
    public void releaseLease() {
        if (reachable && leaseId != 0) {
            store.revoke(leaseId);
        }
    }

    @Override
    public void close() {
    }
}
