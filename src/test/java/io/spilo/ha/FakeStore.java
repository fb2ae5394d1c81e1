package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import io.spilo.dcs.MemberData;
import io.spilo.dcs.Switchover;
import io.spilo.dcs.SyncState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory etcd for the loop harness: the keys of one cluster, leases that expire on the fake
 * clock (taking their keys with them), compare-and-set by revision. Shared by every member's
 * {@link FakeDcs}. Synchronized: the harness may run long actions on another thread.
 */
public final class FakeStore {
    private record Held(String name, long leaseId, long modRevision) {
    }

    private record MemberEntry(MemberData data, long leaseId) {
    }

    private final FakeClock clock;
    private long revision = 1;
    private long nextLeaseId = 100;
    private final Map<Long, Long> leaseExpiresAt = new HashMap<>();
    private Optional<String> initialize = Optional.empty();
    private Optional<Held> leader = Optional.empty();
    private final Map<String, MemberEntry> members = new LinkedHashMap<>();
    private Optional<DynamicConfig> config = Optional.empty();
    private long optime;
    private List<HistoryEntry> history = List.of();
    private Optional<SyncState> sync = Optional.empty();
    private Optional<Switchover> failover = Optional.empty();
    private int leaderAcquisitions;

    public FakeStore(FakeClock clock) {
        this.clock = clock;
    }

    synchronized ClusterView read() {
        expireLeases();
        List<Member> view = new ArrayList<>();
        members.forEach((name, entry) -> view.add(Member.fromJson(name, entry.data().toJson())));
        return new ClusterView(initialize, leader.map(held -> new Leader(held.name(), held.leaseId(), held.modRevision())),
                view, config.orElse(DynamicConfig.empty()), config.isPresent(), optime, history, sync, failover, revision);
    }

    /** Keeps {@code leaseId} alive for ttl from now, or grants a new lease when it expired. Returns the lease in use. */
    synchronized long renew(long leaseId, int ttlSeconds) {
        expireLeases();
        long expiresAt = clock.getAsLong() + ttlSeconds * FakeClock.SECOND;
        if (leaseExpiresAt.containsKey(leaseId)) {
            leaseExpiresAt.put(leaseId, expiresAt);
            return leaseId;
        }
        long granted = nextLeaseId++;
        leaseExpiresAt.put(granted, expiresAt);
        return granted;
    }

    synchronized boolean leaseAlive(long leaseId) {
        expireLeases();
        return leaseExpiresAt.containsKey(leaseId);
    }

    private void expireLeases() {
        long now = clock.getAsLong();
        leaseExpiresAt.entrySet().removeIf(entry -> entry.getValue() <= now);
        if (leader.isPresent() && !leaseExpiresAt.containsKey(leader.get().leaseId())) {
            leader = Optional.empty();
            revision++;
        }
        if (members.values().removeIf(entry -> !leaseExpiresAt.containsKey(entry.leaseId()))) {
            revision++;
        }
    }

    synchronized void putMember(String name, MemberData data, long leaseId) {
        members.put(name, new MemberEntry(data, leaseId));
        revision++;
    }

    synchronized boolean acquireLeader(String name, long leaseId) {
        expireLeases();
        if (leader.isPresent() || !leaseExpiresAt.containsKey(leaseId)) {
            return false;
        }
        leader = Optional.of(new Held(name, leaseId, ++revision));
        leaderAcquisitions++;
        return true;
    }

    synchronized boolean reattachLeader(String name, long expectedModRevision, long leaseId) {
        expireLeases();
        if (leader.isEmpty() || !leader.get().name().equals(name) || leader.get().modRevision() != expectedModRevision) {
            return false;
        }
        if (leader.get().leaseId() != leaseId) {
            leader = Optional.of(new Held(name, leaseId, ++revision));
        }
        return true;
    }

    /** The mod revision of the leader key when it names {@code name}, 0 otherwise. */
    synchronized long leaderRevisionOf(String name) {
        expireLeases();
        return leader.filter(held -> held.name().equals(name)).map(Held::modRevision).orElse(0L);
    }

    /** True while the leader key is still at {@code modRevision} (the writer's fencing token). */
    synchronized boolean leaderAt(long modRevision) {
        expireLeases();
        return modRevision > 0 && leader.map(held -> held.modRevision() == modRevision).orElse(false);
    }

    synchronized boolean deleteLeaderAt(long modRevision) {
        if (!leaderAt(modRevision)) {
            return false;
        }
        leader = Optional.empty();
        revision++;
        return true;
    }

    synchronized boolean deleteLeader(String name) {
        if (leader.isEmpty() || !leader.get().name().equals(name)) {
            return false;
        }
        leader = Optional.empty();
        revision++;
        return true;
    }

    synchronized boolean createInitialize(String value) {
        if (initialize.isPresent()) {
            return false;
        }
        initialize = Optional.of(value);
        revision++;
        return true;
    }

    synchronized boolean replaceInitialize(String expected, String value) {
        if (!initialize.equals(Optional.of(expected))) {
            return false;
        }
        initialize = Optional.of(value);
        revision++;
        return true;
    }

    synchronized boolean cancelInitialize(String expected) {
        if (!initialize.equals(Optional.of(expected))) {
            return false;
        }
        initialize = Optional.empty();
        revision++;
        return true;
    }

    synchronized boolean createConfig(DynamicConfig value) {
        if (config.isPresent()) {
            return false;
        }
        config = Optional.of(new DynamicConfig(value.json(), ++revision));
        return true;
    }

    public synchronized void putConfig(DynamicConfig value) {
        config = Optional.of(new DynamicConfig(value.json(), ++revision));
    }

    synchronized boolean requestSwitchover(Switchover request) {
        if (failover.isPresent()) {
            return false;
        }
        failover = Optional.of(request);
        revision++;
        return true;
    }

    synchronized void clearSwitchover() {
        failover = Optional.empty();
        revision++;
    }

    synchronized boolean writeSync(SyncState state, long expectedModRevision) {
        long current = sync.map(SyncState::modRevision).orElse(0L);
        if (current != expectedModRevision) {
            return false;
        }
        sync = Optional.of(new SyncState(state.leader(), state.synchronousStandbys(), ++revision));
        return true;
    }

    synchronized void deleteSync() {
        sync = Optional.empty();
        revision++;
    }

    synchronized void deleteCluster() {
        initialize = Optional.empty();
        leader = Optional.empty();
        members.clear();
        config = Optional.empty();
        revision++;
    }

    synchronized void writeStatus(long value) {
        optime = value;
    }

    synchronized void writeHistory(List<HistoryEntry> value) {
        history = List.copyOf(value);
        revision++;
    }

    synchronized void revoke(long leaseId) {
        leaseExpiresAt.remove(leaseId);
        expireLeases();
    }

    // What tests look at.

    public synchronized Optional<String> initialize() {
        return initialize;
    }

    public synchronized Optional<String> leaderName() {
        expireLeases();
        return leader.map(Held::name);
    }

    public synchronized Optional<MemberData> member(String name) {
        expireLeases();
        return Optional.ofNullable(members.get(name)).map(MemberEntry::data);
    }

    public synchronized int leaderAcquisitions() {
        return leaderAcquisitions;
    }

    public synchronized List<HistoryEntry> history() {
        return history;
    }

    public synchronized Optional<SyncState> sync() {
        return sync;
    }

    public synchronized void setInitialize(String value) {
        initialize = Optional.of(value);
        revision++;
    }
}
