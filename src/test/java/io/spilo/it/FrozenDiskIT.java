package io.spilo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, the write-path probe: the primary's data directory is on a loop-mounted ext4 that the
 * test freezes with {@code fsfreeze -f}. A new primary must take writes within ttl + 5 s, the
 * frozen one must acknowledge nothing after that, and once thawed (after 60 s) it rejoins as a
 * replica. Writers connect directly to every member's PostgreSQL. Both replication modes.
 */
@org.junit.jupiter.api.parallel.Isolated("a frozen file system stalls more than its own writers: it runs alone")
class FrozenDiskIT {
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private TestCluster cluster;
    private LoopFileSystem disk;
    private DirectWriters writers;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (writers != null) {
            writers.close();
        }
        try {
            if (disk != null) {
                disk.thaw();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (disk != null) {
                disk.close();
            }
            if (cluster != null) {
                // Again, now that the disk is unmounted: the first removal could not take the mount point.
                cluster.directory.close();
            }
        }
    }

    private Writer writerOf(AgentNode node) {
        return writers.of(node);
    }

    @ParameterizedTest(name = "synchronous_mode {0}")
    @ValueSource(booleans = {false, true})
    void aPrimaryWhoseDiskFreezesHandsOverAndRejoinsOnceThawed(boolean synchronous) throws Exception {
        String unavailable = LoopFileSystem.unavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), unavailable);
        cluster = new TestCluster("frozen", 3, synchronous ? "    synchronous_mode: true\n" : "", name -> "");
        AgentNode old = cluster.nodes.get(0);
        disk = LoopFileSystem.mount(cluster.directory.path().resolve("node1-disk.img"), old.dataDirectory, 400, "postgres");
        cluster.startWithNode1Leading(CONVERGE);
        writers = new DirectWriters(cluster);
        writers.awaitWriting(old, synchronous, CONVERGE);

        long frozenAt = System.nanoTime();
        disk.freeze();
        AgentNode promoted;
        try {
            promoted = writers.awaitNewPrimaryAcknowledgingSince(old, frozenAt, CONVERGE);
            long newFirst = writerOf(promoted).firstAcknowledgedAfter(frozenAt).orElseThrow();
            double takeover = (newFirst - frozenAt) / 1e9;
            System.out.printf("MEASURE frozen disk (sync %s): first write on the new primary %.1f s after fsfreeze%n",
                    synchronous, takeover);
            assertThat(takeover).as("a new primary within ttl + 5 s").isLessThan(15.0);
            long thawAt = frozenAt + Duration.ofSeconds(60).toNanos();
            await().atMost(Duration.ofSeconds(70)).until(() -> System.nanoTime() >= thawAt);
        } finally {
            disk.thaw();
        }
        long thawedAt = System.nanoTime();
        long newFirst = writerOf(promoted).firstAcknowledgedAfter(frozenAt).orElseThrow();
        await("the thawed member rejoins as a replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.primaries().size() == 1 && cluster.streamingReplicas().contains(old));
        System.out.printf("MEASURE frozen disk (sync %s): thawed member streaming again %.1f s after the thaw%n",
                synchronous, (System.nanoTime() - thawedAt) / 1e9);
        assertThat(cluster.primaries()).containsExactly(promoted);
        assertThat(writerOf(old).lastAcknowledgedAt().orElseThrow())
                .as("the frozen primary's last acknowledged write, before the new primary's first").isLessThan(newFirst);
    }
}
