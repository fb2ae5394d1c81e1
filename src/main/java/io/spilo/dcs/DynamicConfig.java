package io.spilo.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.ConfigException;
import io.spilo.config.TimingSettings;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster-wide configuration of the {@code config} key. The JSON is kept whole so that keys
 * Spilo does not interpret survive a round trip; the typed accessors read it with Patroni's defaults.
 */
public record DynamicConfig(ObjectNode json, long modRevision) {
    public static final long DEFAULT_MAXIMUM_LAG_ON_FAILOVER = 1_048_576;
    public static final long DEFAULT_MEMBER_SLOTS_TTL_SECONDS = 30 * 60;

    public DynamicConfig {
        json = json.deepCopy();
    }

    /** The {@code bootstrap.dcs} section: what a bootstrapping member writes to the new cluster's {@code config} key. */
    public static DynamicConfig ofBootstrap(io.spilo.config.BootstrapConfig bootstrap) {
        return new DynamicConfig(bootstrap.dcs(), 0);
    }

    /** A slot whose member is gone is kept this long (Patroni's member_slots_ttl, default 30 min). */
    public long memberSlotsTtlSeconds() {
        String text = json.path("member_slots_ttl").asText("").strip();
        if (text.isEmpty()) {
            return DEFAULT_MEMBER_SLOTS_TTL_SECONDS;
        }
        try {
            if (text.endsWith("min")) {
                return Long.parseLong(text.substring(0, text.length() - 3).strip()) * 60;
            }
            if (text.endsWith("h")) {
                return Long.parseLong(text.substring(0, text.length() - 1).strip()) * 3600;
            }
            if (text.endsWith("s")) {
                return Long.parseLong(text.substring(0, text.length() - 1).strip());
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return DEFAULT_MEMBER_SLOTS_TTL_SECONDS;
        }
    }

    private static final java.util.regex.Pattern PARAMETER_NAME =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /**
     * Why {@code postgresql.parameters} cannot be written into postgresql.conf, if it cannot: a name
     * that is not one, a value that is not a scalar or holds a control character (a newline would
     * break the file), or a name PostgreSQL does not know ({@code known}, from pg_settings; empty
     * when unknown). Names with a dot are extensions' own and are not checked against pg_settings.
     */
    public Optional<String> parameterProblem(java.util.Set<String> known) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = json.path("postgresql").path("parameters").fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            String path = "postgresql.parameters." + name;
            if (!PARAMETER_NAME.matcher(name).matches()) {
                return Optional.of("postgresql.parameters: '" + name + "' is not a parameter name");
            }
            JsonNode value = field.getValue();
            if (!value.isValueNode() || value.isNull()) {
                return Optional.of(path + ": the value must be a string, a number or true/false");
            }
            if (value.asText().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return Optional.of(path + ": the value contains a control character (a line break?)");
            }
            if (!known.isEmpty() && !name.contains(".") && !known.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                return Optional.of(path + ": PostgreSQL has no parameter of that name");
            }
        }
        return Optional.empty();
    }

    /** The same keys and values, whatever revision each was read at. */
    public boolean sameContent(DynamicConfig other) {
        return json.equals(other.json);
    }

    public static DynamicConfig empty() {
        return new DynamicConfig(JsonNodeFactory.instance.objectNode(), 0);
    }

    @Override
    public ObjectNode json() {
        return json.deepCopy();
    }

    /** The timing triple; keys that are not set take Spilo's defaults. */
    public TimingSettings timing() {
        TimingSettings defaults = TimingSettings.SPILO_DEFAULTS;
        return new TimingSettings(
                integer("ttl", defaults.ttlSeconds()),
                integer("loop_wait", defaults.loopWaitSeconds()),
                integer("retry_timeout", defaults.retryTimeoutSeconds()));
    }

    /** Throws a ConfigException naming {@code path} when the stored values cannot be used. */
    public DynamicConfig validated(String path) {
        timing().validated(path);
        return this;
    }

    public long maximumLagOnFailover() {
        return json.path("maximum_lag_on_failover").asLong(DEFAULT_MAXIMUM_LAG_ON_FAILOVER);
    }

    public boolean usePgRewind() {
        return json.path("postgresql").path("use_pg_rewind").asBoolean(true);
    }

    public boolean useSlots() {
        return json.path("postgresql").path("use_slots").asBoolean(true);
    }

    /** Patroni's primary_start_timeout (default 300 s): how long a crashed leader may take to restart. */
    public int primaryStartTimeoutSeconds() {
        return integer("primary_start_timeout", 300);
    }

    /**
     * Spilo's {@code write_probe_timeout}: how long the leader's commits may stall on its own disk
     * before it gives up leadership; default {@code ttl - loop_wait}, 0 turns the probe off.
     */
    public java.util.OptionalInt writeProbeTimeoutSeconds() {
        return json.has("write_probe_timeout") ? java.util.OptionalInt.of(integer("write_probe_timeout", 0))
                : java.util.OptionalInt.empty();
    }

    /** Patroni's {@code failsafe_mode}: the leader stays primary through an etcd outage while every member vouches for it. */
    public boolean failsafeMode() {
        return json.path("failsafe_mode").asBoolean(false);
    }

    public boolean synchronousMode() {
        return json.path("synchronous_mode").asBoolean(false);
    }

    public boolean synchronousModeStrict() {
        return json.path("synchronous_mode_strict").asBoolean(false);
    }

    /** How many synchronous standbys the leader keeps (default 1). */
    public int synchronousNodeCount() {
        return Math.max(1, integer("synchronous_node_count", 1));
    }

    /** Bytes a replica may lag and still be chosen as synchronous standby; negative: no limit. */
    public long maximumLagOnSyncnode() {
        return json.path("maximum_lag_on_syncnode").asLong(-1);
    }

    public boolean paused() {
        return json.path("pause").asBoolean(false);
    }

    public Map<String, String> postgresParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        json.path("postgresql").path("parameters").fields()
                .forEachRemaining(field -> parameters.put(field.getKey(), field.getValue().asText()));
        return parameters;
    }

    private int integer(String key, int defaultValue) {
        JsonNode node = json.get(key);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (node.canConvertToInt()) {
            return node.asInt();
        }
        try {
            return Integer.parseInt(node.asText().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("config." + key + ": '" + node.asText() + "' is not a whole number");
        }
    }
}
