package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.ha.PeerStatus;
import org.junit.jupiter.api.Test;

/** Bodies as Patroni 3.0.2 answered them (see the reference captures), and as Spilo does. */
class HttpPeerProbeTest {
    private static final String PATRONI_REPLICA = """
            {"database_system_identifier": "7712692741996752489", "dcs_last_seen": 1795751501,
             "patroni": {"scope": "anchor", "version": "3.0.2"}, "role": "replica", "server_version": 150018,
             "state": "running", "timeline": 10,
             "xlog": {"paused": false, "received_location": 117637120, "replayed_location": 117636776}}
            """;
    private static final String PATRONI_MASTER = """
            {"role": "master", "state": "running", "timeline": 10, "xlog": {"location": 117637120}}
            """;

    @Test
    void aReplicaReportsItsReceivedPosition() {
        assertThat(HttpPeerProbe.parse("node2", PATRONI_REPLICA))
                .isEqualTo(new PeerStatus("node2", true, false, 117637120, 1, false));
    }

    @Test
    void patroni3sMasterRoleCountsAsPrimary() {
        assertThat(HttpPeerProbe.parse("node1", PATRONI_MASTER).runningPrimary()).isTrue();
    }

    @Test
    void tagsDecideWhetherThePeerIsACandidate() {
        PeerStatus peer = HttpPeerProbe.parse("node3",
                "{\"role\":\"replica\",\"state\":\"running\",\"xlog\":{\"received_location\":5},\"tags\":{\"nofailover\":true}}");

        assertThat(peer.noFailover()).isTrue();
        assertThat(peer.failoverPriority()).isZero();
    }

    @Test
    void garbageIsTreatedAsNoAnswer() {
        assertThat(HttpPeerProbe.parse("node4", "<html>").reachable()).isFalse();
    }

    @Test
    void aPeerThatIsPromotingIsSeenAsSuchAndNotAsSilent() {
        PeerStatus peer = HttpPeerProbe.parse("node2",
                "{\"role\":\"replica\",\"state\":\"promoting\",\"xlog\":{\"received_location\":5,\"replayed_location\":3}}");

        assertThat(peer.reachable()).isTrue();
        assertThat(peer.promoting()).isTrue();
        assertThat(peer.runningPrimary()).isFalse();
    }
}
