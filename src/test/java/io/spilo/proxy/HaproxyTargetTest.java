package io.spilo.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.spilo.config.TimingSettings;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 11 item 2: a bad cluster config must not stop the HAProxy follower. */
class HaproxyTargetTest {
    private static ClusterView withConfig(DynamicConfig config) {
        return new ClusterView(Optional.of("1"), Optional.empty(), List.of(), config, true, 0, List.of(), Optional.empty(),
                Optional.empty(), 1);
    }

    @Test
    void aMalformedOrRuleBreakingConfigKeepsTheLastGoodCheckTiming() {
        HaproxyTiming lastGood = HaproxyTiming.forCluster(new TimingSettings(10, 2, 3));

        DynamicConfig malformed = new DynamicConfig(JsonNodeFactory.instance.objectNode().put("ttl", "soon"), 5);
        DynamicConfig ruleBreaking = new DynamicConfig(JsonNodeFactory.instance.objectNode().put("ttl", 10).put("loop_wait", 10)
                .put("retry_timeout", 10), 6);
        DynamicConfig good = new DynamicConfig(JsonNodeFactory.instance.objectNode().put("ttl", 30).put("loop_wait", 10)
                .put("retry_timeout", 10), 7);

        assertThat(HaproxyController.Target.of(withConfig(malformed), lastGood).timing()).isEqualTo(lastGood);
        assertThat(HaproxyController.Target.of(withConfig(ruleBreaking), lastGood).timing()).isEqualTo(lastGood);
        assertThat(HaproxyController.Target.of(withConfig(good), lastGood).timing())
                .isEqualTo(HaproxyTiming.forCluster(TimingSettings.PATRONI_DEFAULTS));
    }
}
