package io.spilo.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.HaproxyConfig;
import io.spilo.config.TimingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HaproxyConfigRendererTest {
    private static final HaproxyConfig HAPROXY = new HaproxyConfig("127.0.0.1", 5000, 5001, 7000, Path.of("/run/spilo"), Path.of("haproxy"));
    private static final List<BackendServer> SERVERS = List.of(
            new BackendServer("node1", "10.0.0.1", 5432, "10.0.0.1", 8008),
            new BackendServer("node2", "10.0.0.2", 5432, "10.0.0.2", 8008));

    @Test
    void onlyTheLeaderStartsEnabledInThePrimaryBackend() {
        String text = HaproxyConfigRenderer.render(HAPROXY, SERVERS, Optional.of("node2"), HaproxyTiming.forCluster(TimingSettings.SPILO_DEFAULTS));

        String primary = text.substring(text.indexOf("listen primary"), text.indexOf("listen replicas"));
        String replicas = text.substring(text.indexOf("listen replicas"));
        assertThat(primary).contains("option httpchk GET /primary")
                .contains("server node1 10.0.0.1:5432 maxconn 100 check addr 10.0.0.1 port 8008 disabled\n")
                .contains("server node2 10.0.0.2:5432 maxconn 100 check addr 10.0.0.2 port 8008\n")
                .contains("on-marked-down shutdown-sessions");
        assertThat(replicas).contains("option httpchk GET /replica").contains("balance roundrobin").doesNotContain("disabled");
        assertThat(text).contains("stats socket /run/spilo/haproxy.sock mode 600 level admin")
                .contains("bind 127.0.0.1:5000").contains("bind 127.0.0.1:5001").contains("bind 127.0.0.1:7000");
    }

    @Test
    void checksOfHttpsApisVerifyTheServerAndPresentTheClientCertificate() {
        HaproxyConfig tls = new HaproxyConfig("127.0.0.1", 5000, 5001, 7000, Path.of("/run/spilo"), Path.of("haproxy"),
                new io.spilo.config.TlsSettings(Optional.of(Path.of("/etc/spilo/op.crt")), Optional.of(Path.of("/etc/spilo/op.key")),
                        Optional.empty(), Optional.of(Path.of("/etc/spilo/ca.crt")), false));

        String text = HaproxyConfigRenderer.render(tls, SERVERS, Optional.of("node2"), HaproxyTiming.forCluster(TimingSettings.SPILO_DEFAULTS));

        assertThat(text).contains("server node2 10.0.0.2:5432 maxconn 100 check addr 10.0.0.2 port 8008 check-ssl verify required"
                + " ca-file /etc/spilo/ca.crt crt /run/spilo/check-client.pem\n");
        assertThat(text.lines().filter(line -> line.contains("server node")).toList()).hasSize(4).allMatch(line -> line.contains("check-ssl"));
    }

    @Test
    void withoutALeaderNoServerIsEnabledInThePrimaryBackend() {
        String text = HaproxyConfigRenderer.render(HAPROXY, SERVERS, Optional.empty(), HaproxyTiming.forCluster(TimingSettings.SPILO_DEFAULTS));

        String primary = text.substring(text.indexOf("listen primary"), text.indexOf("listen replicas"));
        assertThat(primary.lines().filter(line -> line.contains("server node"))).allMatch(line -> line.endsWith(" disabled"));
    }

    @Test
    void aSilentPrimaryIsMarkedDownWellBeforeItsLeaseCanExpire() {
        for (TimingSettings timing : List.of(TimingSettings.SPILO_DEFAULTS, TimingSettings.PATRONI_DEFAULTS,
                new TimingSettings(4, 1, 1), new TimingSettings(10, 2, 3), new TimingSettings(120, 10, 30),
                new TimingSettings(60, 50, 5))) {
            HaproxyTiming checks = HaproxyTiming.forCluster(timing);
            long ttlMillis = timing.ttlSeconds() * 1000L;
            // Silent agent: it renewed at most loop_wait before falling silent, so its lease lasts ttl - loop_wait more.
            assertThat((long) checks.worstCaseDetectionMillis()).as(timing + " silent").isLessThanOrEqualTo(ttlMillis / 2)
                    .isLessThan(ttlMillis - timing.loopWaitSeconds() * 1000L);
            // Agent answering 503 once leadership is unconfirmed (ttl - retry_timeout): down before the lease ends.
            assertThat((long) checks.worstCaseUnconfirmedDetectionMillis()).as(timing + " unconfirmed")
                    .isLessThan(timing.retryTimeoutSeconds() * 1000L);
        }
    }

    @Test
    void oldWorkersLeftByAReloadAreStoppedWellBeforeALeaseCanExpire() {
        for (TimingSettings timing : List.of(TimingSettings.SPILO_DEFAULTS, TimingSettings.PATRONI_DEFAULTS,
                new TimingSettings(10, 2, 3), new TimingSettings(120, 10, 30))) {
            HaproxyTiming checks = HaproxyTiming.forCluster(timing);
            String text = HaproxyConfigRenderer.render(HAPROXY, SERVERS, Optional.of("node2"), checks);

            assertThat(text).contains("    hard-stop-after " + checks.hardStopAfterMillis() + "ms\n");
            assertThat((long) checks.hardStopAfterMillis()).as(timing.toString()).isLessThanOrEqualTo(timing.ttlSeconds() * 1000L / 2);
        }
    }

    @Test
    void memberNamesBecomeValidServerNames() {
        assertThat(BackendServer.serverName("db 1/west")).isEqualTo("db_1_west");
    }
}
