package io.spilo.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@link Writer} connected directly to each member's PostgreSQL (no HAProxy), with ids that
 * never collide between members: what a client that bypasses the router sees during a fault.
 */
final class DirectWriters implements AutoCloseable {
    private final TestCluster cluster;
    private final List<Writer> writers = new ArrayList<>();

    DirectWriters(TestCluster cluster) {
        this.cluster = cluster;
        for (int i = 0; i < cluster.nodes.size(); i++) {
            writers.add(new Writer(cluster.nodes.get(i).postgresPort, (i + 1) * 1_000_000_000L));
        }
    }

    Writer of(AgentNode node) {
        return writers.get(cluster.nodes.indexOf(node));
    }

    /** Waits until {@code primary} acknowledged some writes and, in synchronous mode, a standby is named in the sync key. */
    void awaitWriting(AgentNode primary, boolean synchronous, Duration timeout) {
        await("the primary acknowledges direct writes").atMost(timeout).until(() -> of(primary).acknowledgedCount() > 10);
        if (synchronous) {
            // Until a standby is named in the sync key, no member may be promoted: there would be no failover to test.
            await("a synchronous standby").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes.stream().anyMatch(node -> node.status("/sync") == 200));
        }
    }

    /** A member other than {@code old} that acknowledged a write after {@code sinceNanos}, if any. */
    Optional<AgentNode> newPrimaryAcknowledgingSince(AgentNode old, long sinceNanos) {
        return cluster.nodes.stream().filter(node -> node != old)
                .filter(node -> of(node).firstAcknowledgedAfter(sinceNanos).isPresent()).findFirst();
    }

    /** Waits for {@link #newPrimaryAcknowledgingSince} and returns it. */
    AgentNode awaitNewPrimaryAcknowledgingSince(AgentNode old, long sinceNanos, Duration timeout) {
        await("a new primary acknowledges a direct write").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> newPrimaryAcknowledgingSince(old, sinceNanos).isPresent());
        return newPrimaryAcknowledgingSince(old, sinceNanos).orElseThrow();
    }

    @Override
    public void close() throws InterruptedException {
        for (Writer writer : writers) {
            writer.close();
        }
    }
}
