package io.spilo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimingSettingsTest {
    @Test
    void patronisDefaultsSitExactlyOnTheBoundary() {
        assertThat(new TimingSettings(30, 10, 10).validated("")).isEqualTo(TimingSettings.PATRONI_DEFAULTS);
    }

    @Test
    void oneSecondPastTheBoundaryIsRefused() {
        assertThatThrownBy(() -> new TimingSettings(29, 10, 10).validated("bootstrap.dcs."))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bootstrap.dcs.ttl: loop_wait + 2 * retry_timeout must not exceed ttl, but 10 + 2 * 10 > 29;"
                        + " raise ttl or lower loop_wait/retry_timeout");
    }

    @Test
    void nonPositiveValuesAreRefused() {
        assertThatThrownBy(() -> new TimingSettings(30, 0, 10).validated("")).hasMessageContaining("loop_wait");
        assertThatThrownBy(() -> new TimingSettings(30, 10, 0).validated("")).hasMessageContaining("retry_timeout");
    }
}
