package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.EtcdConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Switchover;
import io.spilo.dcs.etcd.EtcdDcs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 7, against a real etcd: an agent that was paused (SIGSTOP, a long GC) while its
 * leadership ended must not, when it resumes, overwrite what the new leader wrote or delete the
 * new leader's key — even when the new leader is the same member restarted, with the same name.
 */
class EtcdFencingIT {
    private TestDirectory directory;
    private EtcdServer etcd;
    private EtcdDcs paused;
    private EtcdDcs successor;

    @BeforeEach
    void start() {
        directory = new TestDirectory("spilo-it-fencing-");
        etcd = new EtcdServer(directory.path());
        EtcdConfig config = new EtcdConfig(List.of(etcd.url()), Optional.empty());
        paused = new EtcdDcs(config, "/service/fencing/", "node1", Duration.ofSeconds(3));
        successor = new EtcdDcs(config, "/service/fencing/", "node1", Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        paused.close();
        successor.close();
        etcd.close();
        directory.close();
    }

    @Test
    void writesOfAnAgentWhoseLeaderKeyWasReplacedAreRefused() {
        paused.renewLease(10);
        assertThat(paused.attemptToAcquireLeader()).isTrue();
        assertThat(paused.writeStatus(100)).isTrue();
        assertThat(successor.requestSwitchover(new Switchover(Optional.of("node1"), Optional.of("node2"), Optional.empty()))).isTrue();

        // Its lease ends while it is frozen; the member restarts and leads again, under the same name.
        paused.releaseLease();
        successor.renewLease(10);
        assertThat(successor.attemptToAcquireLeader()).isTrue();
        long successorRevision = successor.read().leader().orElseThrow().modRevision();

        assertThat(paused.writeStatus(50)).isFalse();
        assertThat(paused.writeHistory(List.of(new HistoryEntry(1, 50, "stale", "2026-11-27T10:00:00.000000+00:00", "node1"))))
                .isFalse();
        assertThat(paused.clearSwitchoverAsLeader()).isFalse();
        assertThat(paused.deleteLeader()).isFalse();

        ClusterView view = successor.read();
        assertThat(view.leader().orElseThrow().modRevision()).isEqualTo(successorRevision);
        assertThat(view.optime()).isEqualTo(100);
        assertThat(view.history()).isEmpty();
        assertThat(view.failover()).isPresent();
        assertThat(successor.writeStatus(200)).isTrue();
        assertThat(successor.read().optime()).isEqualTo(200);
    }

    /**
     * The agent resumes after its lease expired (a SIGSTOP longer than ttl): etcd answers its
     * keep-alive with "lease not found", and the agent must take a new lease, not fail every cycle.
     */
    @Test
    void anAgentWhoseLeaseExpiredTakesANewOne() throws Exception {
        io.spilo.dcs.LeaseState first = paused.renewLease(10);
        try (io.etcd.jetcd.Client raw = io.etcd.jetcd.Client.builder().endpoints(etcd.url()).build()) {
            // Expiry, without waiting for it: the lease is gone from etcd while the agent still holds its id.
            raw.getLeaseClient().revoke(first.leaseId()).get(5, java.util.concurrent.TimeUnit.SECONDS);
        }

        io.spilo.dcs.LeaseState next = paused.renewLease(10);

        assertThat(next.replaced()).isTrue();
        assertThat(next.leaseId()).isNotEqualTo(first.leaseId());
        assertThat(paused.attemptToAcquireLeader()).as("the new lease carries keys").isTrue();
    }
}
