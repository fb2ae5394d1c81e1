package io.spilo.dcs.etcd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.spilo.config.EtcdConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.LeaseState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Dcs} over etcd v3 with jetcd. Keys follow Patroni's layout under {@code <namespace><scope>/}.
 * One lease per agent carries its member key and, while it leads, the leader key. The lease is
 * renewed with one {@code keepAliveOnce} per cycle, never by a background stream, so a stalled
 * agent loses its keys exactly when its lease runs out.
 */
public final class EtcdDcs implements Dcs {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdDcs.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Client client;
    private final String endpoints;
    private final EtcdErrors errors;
    private final String prefix;
    private final String memberName;
    private volatile Duration timeout;
    private final LongSupplier nanoClock;
    private volatile long leaseId;
    /** The mod_revision at which this agent last wrote the leader key (its fencing token); 0 when it holds none. */
    private volatile long leaderRevision;
    private volatile int grantedTtlSeconds;
    private volatile Watch.Watcher watcher;

    public EtcdDcs(EtcdConfig config, String clusterPrefix, String memberName, Duration timeout) {
        this(config, clusterPrefix, memberName, timeout, System::nanoTime);
    }

    EtcdDcs(EtcdConfig config, String clusterPrefix, String memberName, Duration timeout, LongSupplier nanoClock) {
        this.client = EtcdClients.create(config, timeout);
        this.endpoints = String.join(",", config.endpoints());
        this.errors = new EtcdErrors(config);
        this.prefix = clusterPrefix;
        this.memberName = memberName;
        this.timeout = timeout;
        this.nanoClock = nanoClock;
    }

    @Override
    public ClusterView read() {
        GetResponse response = await("read " + prefix,
                client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()));
        return ClusterViewParser.parse(prefix, response.getKvs(), response.getHeader().getRevision());
    }

    @Override
    public LeaseState renewLease(int ttlSeconds) {
        long sentAt = nanoClock.getAsLong();
        long current = leaseId;
        if (current != 0 && grantedTtlSeconds != ttlSeconds) {
            // A lease keeps the TTL it was granted with: a new ttl needs a new lease. The keys move
            // to it this cycle (member key rewritten, leader key compare-and-set); the old one expires.
            LOG.info("ttl changed from {} to {} s: moving to a new lease", grantedTtlSeconds, ttlSeconds);
            long granted = await("grant lease", client.getLeaseClient().grant(ttlSeconds)).getID();
            leaseId = granted;
            grantedTtlSeconds = ttlSeconds;
            return new LeaseState(granted, sentAt, false);
        }
        if (current != 0) {
            try {
                LeaseKeepAliveResponse response = await("renew lease", client.getLeaseClient().keepAliveOnce(current));
                if (response.getTTL() > 0) {
                    return new LeaseState(current, sentAt, false);
                }
            } catch (DcsException e) {
                if (!isLeaseNotFound(e)) {
                    throw e;
                }
            }
            LOG.warn("lease {} expired; granting a new one (member and leader keys on it are gone)", Long.toHexString(current));
        }
        sentAt = nanoClock.getAsLong();
        long granted = await("grant lease", client.getLeaseClient().grant(ttlSeconds)).getID();
        leaseId = granted;
        grantedTtlSeconds = ttlSeconds;
        return new LeaseState(granted, sentAt, current != 0);
    }

    @Override
    public void touchMember(io.spilo.dcs.MemberData memberData) {
        requireLease();
        await("write member key", client.getKVClient().put(key("members/" + memberName), bytes(memberData.toJson().toString()),
                PutOption.builder().withLeaseId(leaseId).build()));
    }

    @Override
    public boolean attemptToAcquireLeader() {
        requireLease();
        ByteSequence leaderKey = key("leader");
        TxnResponse response = await("acquire leader key", client.getKVClient().txn()
                .If(new Cmp(leaderKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(leaderKey, bytes(memberName), PutOption.builder().withLeaseId(leaseId).build()))
                .commit());
        if (response.isSucceeded()) {
            leaderRevision = response.getHeader().getRevision();
        }
        return response.isSucceeded();
    }

    @Override
    public boolean reattachLeader(Leader current) {
        requireLease();
        if (current.leaseId() == leaseId) {
            leaderRevision = current.modRevision();
            return true;
        }
        ByteSequence leaderKey = key("leader");
        TxnResponse response = await("move leader key to the current lease", client.getKVClient().txn()
                .If(new Cmp(leaderKey, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())),
                        new Cmp(leaderKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(memberName))))
                .Then(Op.put(leaderKey, bytes(memberName), PutOption.builder().withLeaseId(leaseId).build()))
                .commit());
        leaderRevision = response.isSucceeded() ? response.getHeader().getRevision() : 0;
        return response.isSucceeded();
    }

    @Override
    public boolean deleteLeader() {
        ByteSequence leaderKey = key("leader");
        long written = leaderRevision;
        Cmp stillOurs = written > 0 ? new Cmp(leaderKey, Cmp.Op.EQUAL, CmpTarget.modRevision(written))
                : new Cmp(leaderKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(memberName)));
        TxnResponse response = await("delete leader key", client.getKVClient().txn()
                .If(stillOurs).Then(Op.delete(leaderKey, DeleteOption.DEFAULT)).commit());
        leaderRevision = 0;
        return response.isSucceeded();
    }

    /** {@code operation} only while the leader key is the one this agent last wrote. */
    private boolean asLeader(String what, Op operation) {
        long written = leaderRevision;
        if (written == 0) {
            return false;
        }
        return await(what, client.getKVClient().txn()
                .If(new Cmp(key("leader"), Cmp.Op.EQUAL, CmpTarget.modRevision(written))).Then(operation).commit()).isSucceeded();
    }

    @Override
    public boolean createInitialize(String value) {
        return createIfAbsent("initialize", value);
    }

    @Override
    public boolean replaceInitialize(String expected, String value) {
        ByteSequence initializeKey = key("initialize");
        return await("write initialize key", client.getKVClient().txn()
                .If(new Cmp(initializeKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(expected))))
                .Then(Op.put(initializeKey, bytes(value), PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public boolean cancelInitialize(String expected) {
        ByteSequence initializeKey = key("initialize");
        return await("delete initialize key", client.getKVClient().txn()
                .If(new Cmp(initializeKey, Cmp.Op.EQUAL, CmpTarget.value(bytes(expected))))
                .Then(Op.delete(initializeKey, DeleteOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public boolean createConfig(io.spilo.dcs.DynamicConfig config) {
        return createIfAbsent("config", config.json().toString());
    }

    @Override
    public boolean replaceConfig(ObjectNode config, long expectedModRevision) {
        ByteSequence configKey = key("config");
        Cmp condition = expectedModRevision == 0
                ? new Cmp(configKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(configKey, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
        return await("replace config key", client.getKVClient().txn()
                .If(condition)
                .Then(Op.put(configKey, bytes(config.toString()), PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public boolean requestSwitchover(io.spilo.dcs.Switchover request) {
        ByteSequence failoverKey = key("failover");
        GetResponse existing = await("read failover key", client.getKVClient().get(failoverKey));
        if (!existing.getKvs().isEmpty() && io.spilo.dcs.Switchover.fromJson(
                ClusterViewParser.parseJson("failover", existing.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8))).isPresent()) {
            return false;
        }
        // Absent, or Patroni's empty "{}" left by a finished switchover: either may be replaced.
        Cmp condition = existing.getKvs().isEmpty()
                ? new Cmp(failoverKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(failoverKey, Cmp.Op.EQUAL, CmpTarget.modRevision(existing.getKvs().get(0).getModRevision()));
        return await("write failover key", client.getKVClient().txn()
                .If(condition)
                .Then(Op.put(failoverKey, bytes(request.toJson().toString()), PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public boolean writeSync(io.spilo.dcs.SyncState state, long expectedModRevision) {
        ByteSequence syncKey = key("sync");
        Cmp condition = expectedModRevision == 0
                ? new Cmp(syncKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(syncKey, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
        return await("write sync key", client.getKVClient().txn()
                .If(condition)
                .Then(Op.put(syncKey, bytes(state.toJson().toString()), PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public void deleteSync() {
        await("delete sync key", client.getKVClient().delete(key("sync")));
    }

    @Override
    public void clearSwitchover() {
        await("clear failover key", client.getKVClient().put(key("failover"), bytes("{}")));
    }

    @Override
    public boolean clearSwitchoverAsLeader() {
        return asLeader("clear failover key", Op.put(key("failover"), bytes("{}"), PutOption.DEFAULT));
    }

    @Override
    public void deleteCluster() {
        await("delete " + prefix, client.getKVClient().delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()));
    }

    @Override
    public boolean writeStatus(long optime) {
        ObjectNode status = JSON.createObjectNode().put("optime", optime);
        return asLeader("write status key", Op.put(key("status"), bytes(status.toString()), PutOption.DEFAULT));
    }

    @Override
    public boolean writeHistory(List<HistoryEntry> history) {
        ArrayNode array = JSON.createArrayNode();
        history.forEach(entry -> array.add(entry.toJson()));
        return asLeader("write history key", Op.put(key("history"), bytes(array.toString()), PutOption.DEFAULT));
    }

    @Override
    public void watch(Runnable onChange) {
        WatchOption option = WatchOption.builder().isPrefix(true).build();
        watcher = client.getWatchClient().watch(bytes(prefix), option, Watch.listener(
                response -> {
                    if (response.getEvents().stream().anyMatch(this::mattersToDecisions)) {
                        onChange.run();
                    }
                },
                error -> {
                    LOG.debug("etcd watch interrupted ({}); the agent reads the whole prefix each cycle", error.toString());
                    onChange.run();
                }));
    }

    /**
     * Members rewrite their keys whenever their WAL position moves; waking every agent for each of
     * those would turn write load into a storm of cycles. A member joining or leaving, and every
     * change of the other keys (leader, config, initialize, ...), does matter.
     */
    private boolean mattersToDecisions(io.etcd.jetcd.watch.WatchEvent event) {
        String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
        if (event.getEventType() != io.etcd.jetcd.watch.WatchEvent.EventType.PUT) {
            return true;
        }
        if (key.startsWith("members/")) {
            return event.getKeyValue().getVersion() == 1;
        }
        return !key.equals("status") && !key.equals("history");
    }

    @Override
    public void setCallTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void releaseLease() {
        long current = leaseId;
        if (current == 0) {
            return;
        }
        try {
            await("revoke lease", client.getLeaseClient().revoke(current));
            leaseId = 0;
        } catch (DcsException e) {
            LOG.warn("could not revoke lease {}: {}", Long.toHexString(current), e.getMessage());
        }
    }

    @Override
    public void close() {
        Watch.Watcher current = watcher;
        if (current != null) {
            current.close();
        }
        client.close();
    }

    private boolean createIfAbsent(String name, String value) {
        ByteSequence target = key(name);
        return await("create " + name + " key", client.getKVClient().txn()
                .If(new Cmp(target, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(target, bytes(value), PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    private void requireLease() {
        if (leaseId == 0) {
            throw new DcsException("no etcd lease yet: renewLease must succeed first");
        }
    }

    private <T> T await(String what, CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DcsException(DcsException.Kind.UNREACHABLE, "etcd at " + endpoints + " did not answer '" + what + "' within "
                    + timeout.toMillis() + " ms; check that etcd is running and reachable (etcd3.hosts)", e);
        } catch (ExecutionException e) {
            throw errors.failed(what, e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new DcsException("interrupted during '" + what + "'", e);
        }
    }

    /** etcd answers a keep-alive of an expired lease with NOT_FOUND ("requested lease not found"). */
    private static boolean isLeaseNotFound(DcsException e) {
        return e.getCause() != null && EtcdErrors.code(e.getCause()) == io.grpc.Status.Code.NOT_FOUND;
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
