package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.DynamicConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, items 1 and 2, through the real loop: the agents' files say Patroni's 30/10/10, the
 * cluster runs a shorter timing set live, and the file must never decide again once the cluster
 * config is known — also during an etcd outage, and after an agent restart during one.
 */
class ConfigInForceTest {
    private static final int PORT1 = 15432;
    private final LoopHarness harness = new LoopHarness();

    private static DynamicConfig timing(Object ttl, Object loopWait, Object retryTimeout) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.putPOJO("ttl", ttl).putPOJO("loop_wait", loopWait).putPOJO("retry_timeout", retryTimeout);
        return new DynamicConfig(json, 0);
    }

    private LoopHarness.Node leaderWithLiveTiming(DynamicConfig live) {
        harness.store.setInitialize(FakePostgres.SYSTEM_ID);
        harness.store.putConfig(live);
        LoopHarness.Node node = harness.add("node1", PORT1, new FakePostgres().runningPrimary(1000));
        harness.add("node2", PORT1 + 1, new FakePostgres().runningReplica("127.0.0.1", PORT1, 1000));
        harness.cycleAll();
        assertThat(harness.leader()).hasValue("node1");
        return node;
    }

    @Test
    void aPrimaryCutOffFromEtcdDemotesWithinTheLiveWindowNotTheFilesWindow() {
        LoopHarness.Node primary = leaderWithLiveTiming(timing(10, 2, 4));
        assertThat(primary.dcs.callTimeout).isEqualTo(Duration.ofMillis(1333));

        primary.dcs.cutOff();
        harness.clock.advanceSeconds(5.5);
        primary.cycle();
        assertThat(primary.status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        harness.clock.advanceSeconds(0.6);
        primary.cycle();

        assertThat(primary.status().isConfirmedPrimary(harness.clock.getAsLong())).isFalse();
        assertThat(primary.status().lastDecision()).startsWith("demoting");
        assertThat(primary.postgres.calls()).contains("stop");
    }

    @Test
    void anAgentRestartedDuringAnEtcdOutageRunsByTheClusterConfigItKept() {
        LoopHarness.Node before = leaderWithLiveTiming(timing(10, 2, 4));
        assertThat(before.lastConfig.saves()).isEqualTo(1);

        LoopHarness restarted = new LoopHarness();
        LoopHarness.Node after = restarted.add("node1", PORT1, new FakePostgres().runningPrimary(1000), "", before.lastConfig);
        after.dcs.cutOff();
        after.cycle();

        assertThat(after.status().settings().timing()).isEqualTo(new TimingSettings(10, 2, 4));
        assertThat(after.dcs.callTimeout).isEqualTo(Duration.ofMillis(1333));
    }

    @Test
    void aMalformedValueKeepsTheLastGoodConfigAndSaysWhy() {
        LoopHarness.Node primary = leaderWithLiveTiming(timing(10, 2, 4));

        harness.store.putConfig(timing("soon", 2, 4));
        harness.runFor(60);

        assertThat(harness.leader()).hasValue("node1");
        assertThat(primary.status().isConfirmedPrimary(harness.clock.getAsLong())).isTrue();
        assertThat(primary.status().settings().timing()).isEqualTo(new TimingSettings(10, 2, 4));
        assertThat(primary.status().configProblem()).hasValueSatisfying(problem -> assertThat(problem).contains("config.ttl"));
        assertThat(harness.node("node2").status().configProblem()).isPresent();

        harness.store.putConfig(timing(10, 2, 3));
        harness.runFor(2);
        assertThat(primary.status().configProblem()).isEmpty();
        assertThat(primary.status().settings().timing()).isEqualTo(new TimingSettings(10, 2, 3));
    }

    @Test
    void valuesThatBreakTheTimingRuleAreNotUsedEither() {
        LoopHarness.Node primary = leaderWithLiveTiming(timing(10, 2, 4));

        harness.store.putConfig(timing(10, 10, 10));
        harness.runFor(4);

        assertThat(primary.status().settings().timing()).isEqualTo(new TimingSettings(10, 2, 4));
        assertThat(primary.status().configProblem()).hasValueSatisfying(problem -> assertThat(problem).contains("ttl"));
    }
}
