package io.spilo.ha;

import io.spilo.config.ConfigLoader;
import io.spilo.config.SpiloConfig;
import io.spilo.dcs.Member;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives the real {@link HaLoop} of several members against one {@link FakeStore}, each with its
 * own {@link FakePostgres} and {@link ManualExecutor}, on one {@link FakeClock}. Peers answer the
 * race probe from each other's published {@link NodeStatus}, as {@code GET /patroni} would.
 * Timing: ttl 30, loop_wait 10, retry_timeout 10 (Patroni's defaults), so windows read plainly.
 */
public final class LoopHarness {
    /** One member of the harness cluster. */
    public final class Node {
        public final String name;
        public final int port;
        public final FakeDcs dcs;
        public final FakePostgres postgres;
        public final ManualExecutor longActions = new ManualExecutor();
        /** The write probe's commits: they complete only when a test runs them (a frozen disk never does). */
        public final ManualExecutor writeProbes = new ManualExecutor();
        /** While true, the write probe's commits hang, as on a frozen file system. */
        public boolean diskFrozen;
        /** While true, this member's REST API cannot be reached by the others (a partition between members). */
        public boolean unreachableFromPeers;
        public final HaLoop loop;
        public final List<Throwable> fatalErrors = new ArrayList<>();
        public final FakeFence fence;
        /** What this member keeps of the cluster config between runs (its file beside the data directory). */
        public final InMemoryLastConfig lastConfig;
        private boolean down;

        private Node(String name, int port, FakePostgres postgres, String extraYaml, InMemoryLastConfig lastConfig) {
            this.lastConfig = lastConfig;
            this.name = name;
            this.port = port;
            this.dcs = new FakeDcs(store, name, clock);
            this.postgres = postgres;
            this.fence = new FakeFence(clock, postgres);
            this.loop = new HaLoop(config(name, port, extraYaml), dcs, postgres, this::probe, this::callFailsafe, lastConfig, fence, clock,
                    Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC), longActions, writeProbes, fatalErrors::add,
                    millis -> clock.advanceSeconds(millis / 1000.0));
        }

        /** One cycle of this member's loop. */
        public void cycle() {
            if (down) {
                throw new IllegalStateException(name + " is down");
            }
            loop.runCycle();
            if (!diskFrozen) {
                writeProbes.runAll();
            }
        }

        /** The agent and PostgreSQL are gone (kill -9 of the node): no cycles, no answers. */
        public void kill() {
            down = true;
            postgres.crash();
        }

        /** The agent stops (SIGSTOP, a long pause): no cycles, no answers; PostgreSQL and the fence run on. */
        public void freeze() {
            down = true;
        }

        /** SIGCONT after {@link #freeze()}. */
        public void thaw() {
            down = false;
        }

        public NodeStatus status() {
            return loop.status();
        }

        /** As HttpFailsafeCaller: each reachable member's answer to POST /failsafe; an unreachable one never accepts. */
        private List<String> callFailsafe(List<Member> members, FailsafeCaller.FailsafeRequest leader) {
            List<String> accepted = new ArrayList<>();
            for (Member member : members) {
                Node peer = nodes.get(member.name());
                if (peer != null && !peer.down && !peer.unreachableFromPeers
                        && peer.loop.acceptFailsafe(leader.name()) == FailsafeReply.ACCEPTED) {
                    accepted.add(member.name());
                }
            }
            return accepted;
        }

        private List<PeerStatus> probe(List<Member> members) {
            List<PeerStatus> answers = new ArrayList<>();
            for (Member member : members) {
                Node peer = nodes.get(member.name());
                if (peer == null || peer.down || peer.status() == null) {
                    answers.add(PeerStatus.unreachable(member.name()));
                    continue;
                }
                // As HttpPeerProbe reads GET /patroni: only a running or promoting member is compared.
                NodeStatus status = peer.status();
                boolean promoting = status.state().equals("promoting");
                answers.add(new PeerStatus(member.name(), status.state().equals("running") || promoting,
                        status.postgres().isRunningPrimary(), status.postgres().walPosition(), 1, false, promoting));
            }
            return answers;
        }
    }

    public final FakeClock clock = new FakeClock();
    public final FakeStore store = new FakeStore(clock);
    private final Map<String, Node> nodes = new LinkedHashMap<>();

    public Node add(String name, int port, FakePostgres postgres) {
        return add(name, port, postgres, "");
    }

    public Node add(String name, int port, FakePostgres postgres, String extraYaml) {
        return add(name, port, postgres, extraYaml, new InMemoryLastConfig());
    }

    /** A member that starts with what an earlier run of it kept (an agent restart). */
    public Node add(String name, int port, FakePostgres postgres, String extraYaml, InMemoryLastConfig lastConfig) {
        Node node = new Node(name, port, postgres, extraYaml, lastConfig);
        nodes.put(name, node);
        return node;
    }

    public Node node(String name) {
        return nodes.get(name);
    }

    /** Every live member runs one cycle, in the order they were added. */
    public void cycleAll() {
        for (Node node : nodes.values()) {
            if (!node.down) {
                node.cycle();
            }
        }
    }

    /** Lets {@code seconds} pass in 2 s steps, every live member cycling, then every fence that is due firing, at each step. */
    public void runFor(int seconds) {
        for (int elapsed = 0; elapsed < seconds; elapsed += 2) {
            clock.advanceSeconds(2);
            cycleAll();
            for (Node node : nodes.values()) {
                node.fence.fireIfDue();
            }
        }
    }

    public Optional<String> leader() {
        return store.leaderName();
    }

    static final String PATRONI_DEFAULT_TIMING = """
            bootstrap:
              dcs:
                ttl: 30
                loop_wait: 10
                retry_timeout: 10
                maximum_lag_on_failover: 1048576
            """;

    static SpiloConfig config(String name, int port, String extraYaml) {
        String yaml = """
                scope: harness
                name: %s
                restapi:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                etcd3:
                  hosts: 127.0.0.1:2379
                %spostgresql:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                  data_dir: /nonexistent/harness/%s
                  bin_dir: /nonexistent/bin
                  authentication:
                    superuser: {username: postgres, password: secret}
                    replication: {username: replicator, password: secret}
                %s""".formatted(name, 18000 + port % 1000, 18000 + port % 1000,
                // A test that brings its own bootstrap section (a custom method) brings its dcs timing too.
                extraYaml.contains("bootstrap:") ? "" : PATRONI_DEFAULT_TIMING, port, port, name, extraYaml);
        return ConfigLoader.parse(yaml, name + ".yml", Map.of());
    }
}
