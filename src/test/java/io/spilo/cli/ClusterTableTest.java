package io.spilo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 13: {@code spilo list} shows each member's fence, the leader's write probe and failsafe mode. */
class ClusterTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Member member(String name, String role, long position) {
        return new Member(name, "postgres://10.0.0." + name.charAt(4) + ":5432/postgres", "http://10.0.0." + name.charAt(4) + ":8008/patroni",
                "running", role, position, 2, Map.of(), false, role.equals("replica") ? "streaming" : "");
    }

    private static ClusterView view() {
        return new ClusterView(Optional.of("7300"), Optional.of(new Leader("node1", 1, 1)),
                List.of(member("node1", "primary", 50L << 20), member("node2", "replica", 48L << 20), member("node3", "replica", 50L << 20)),
                DynamicConfig.empty(), true, 50L << 20, List.of(), Optional.empty(), Optional.empty(), 1);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void showsTheFenceOfEveryMemberAndTheLeadersWriteProbe() throws Exception {
        Map<String, JsonNode> statuses = Map.of(
                "node1", json("{\"fence\":\"armed\",\"write_probe\":{\"latency_ms\":3}}"),
                "node2", json("{\"fence\":\"disarmed\"}"));

        String table = ClusterTable.render("demo", view(), statuses, "pretty", false);

        assertThat(table).contains("| Fence    | Write probe |");
        assertThat(table.lines().filter(line -> line.startsWith("| node1")).findFirst().orElseThrow())
                .contains("| Leader ").contains("| armed    | 3 ms ");
        assertThat(table.lines().filter(line -> line.startsWith("| node2")).findFirst().orElseThrow()).contains("|         2 |")
                .contains("| disarmed |");
        assertThat(table.lines().filter(line -> line.startsWith("| node3")).findFirst().orElseThrow())
                .as("a member that did not answer: its fence is unknown").contains("| ?        |");
        assertThat(table).doesNotContain("Failsafe");
    }

    @Test
    void aStalledWriteProbeAndFailsafeModeAreSpelledOut() throws Exception {
        Map<String, JsonNode> statuses = Map.of(
                "node1", json("{\"fence\":\"armed\",\"failsafe_mode_is_active\":true,\"write_probe\":{\"latency_ms\":3,\"stalled_ms\":4200}}"),
                "node2", json("{\"fence\":\"disarmed\"}"), "node3", json("{\"fence\":\"disarmed\"}"));

        String table = ClusterTable.render("demo", view(), statuses, "pretty", false);
        JsonNode rows = json(ClusterTable.render("demo", view(), statuses, "json", false));

        assertThat(table).contains("| stalled 4.2 s |").contains(" Failsafe mode: active on node1 (");
        assertThat(rows.get(0).path("Fence").asText()).isEqualTo("armed");
        assertThat(rows.get(0).path("Failsafe mode").asText()).isEqualTo("active");
        assertThat(rows.get(1).path("Fence").asText()).isEqualTo("disarmed");
    }

    @Test
    void membersThatReportNoFenceGetPatronictlsColumns() throws Exception {
        Map<String, JsonNode> patroniStatuses = Map.of("node1", json("{\"state\":\"running\"}"), "node2", json("{\"state\":\"running\"}"));

        String table = ClusterTable.render("demo", view(), patroniStatuses, "pretty", false);

        assertThat(table.lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("| Member | Host          | Role    | State     | TL | Lag in MB |");
    }

    @Test
    void aMembersLastViewReadsBackWithItsLeaderAndLag() throws Exception {
        JsonNode body = json("{\"members\":[{\"name\":\"node1\",\"role\":\"leader\",\"state\":\"running\",\"api_url\":\"http://10.0.0.1:8008/patroni\","
                + "\"host\":\"10.0.0.1\",\"port\":5432,\"timeline\":2},{\"name\":\"node2\",\"role\":\"replica\",\"state\":\"streaming\","
                + "\"api_url\":\"http://10.0.0.2:8008/patroni\",\"host\":\"10.0.0.2\",\"port\":5432,\"timeline\":2,\"lag\":3145728}],\"pause\":true}");

        ClusterView view = LastKnownView.fromClusterBody(body);
        String table = ClusterTable.render("demo", view, Map.of(), "pretty", false);

        assertThat(view.isLeader("node1")).isTrue();
        assertThat(view.member("node2").orElseThrow().apiUrl()).isEqualTo("http://10.0.0.2:8008/patroni");
        assertThat(table.lines().filter(line -> line.startsWith("| node2")).findFirst().orElseThrow())
                .contains("| 10.0.0.2:5432 |").contains("|         3 |");
        assertThat(table).contains("Maintenance mode: on");
    }
}
