package io.spilo.dcs.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.KeyValue;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.HistoryEntry;
import io.spilo.dcs.Leader;
import io.spilo.dcs.Member;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The keys under a cluster's prefix, read at one revision, as a {@link ClusterView}. Malformed values are logged and skipped. */
final class ClusterViewParser {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterViewParser.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterViewParser() {
    }

    static ClusterView parse(String prefix, List<KeyValue> keyValues, long revision) {
        Optional<String> initialize = Optional.empty();
        Optional<Leader> leader = Optional.empty();
        List<Member> members = new ArrayList<>();
        DynamicConfig config = DynamicConfig.empty();
        boolean configPresent = false;
        long optime = 0;
        List<HistoryEntry> history = new ArrayList<>();
        Optional<io.spilo.dcs.SyncState> sync = Optional.empty();
        Optional<io.spilo.dcs.Switchover> failover = Optional.empty();
        for (KeyValue keyValue : keyValues) {
            String key = keyValue.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
            String value = keyValue.getValue().toString(StandardCharsets.UTF_8);
            switch (key) {
                case "initialize" -> initialize = Optional.of(value);
                case "leader" -> leader = Optional.of(new Leader(value, keyValue.getLease(), keyValue.getModRevision()));
                case "config" -> {
                    JsonNode json = parseJson(key, value);
                    if (json instanceof ObjectNode object) {
                        config = new DynamicConfig(object, keyValue.getModRevision());
                        configPresent = true;
                    }
                }
                case "status" -> optime = parseJson(key, value).path("optime").asLong(0);
                case "optime/leader" -> optime = Math.max(optime, parseLong(value));
                case "history" -> parseJson(key, value).forEach(entry -> history.add(HistoryEntry.fromJson(entry)));
                case "failover" -> failover = io.spilo.dcs.Switchover.fromJson(parseJson(key, value));
                case "sync" -> sync = Optional.of(io.spilo.dcs.SyncState.fromJson(parseJson(key, value), keyValue.getModRevision()));
                default -> {
                    if (key.startsWith("members/")) {
                        members.add(Member.fromJson(key.substring("members/".length()), parseJson(key, value)));
                    }
                }
            }
        }
        return new ClusterView(initialize, leader, members, config, configPresent, optime, history, sync, failover, revision);
    }


    static JsonNode parseJson(String key, String value) {
        try {
            return JSON.readTree(value);
        } catch (JsonProcessingException e) {
            LOG.warn("etcd key {} holds malformed JSON, ignored: {}", key, e.getOriginalMessage());
            return JSON.createObjectNode();
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
