package io.spilo.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes an agent's configuration file in Patroni's layout: the one renderer behind the demo's
 * files and the test clusters', so they cannot drift apart from what {@link ConfigLoader} reads.
 */
public final class AgentYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final ObjectNode root = YAML.createObjectNode();

    private AgentYaml(String scope, String name) {
        root.put("scope", scope);
        root.put("name", name);
    }

    /** A member of {@code scope} named {@code name}. */
    public static AgentYaml member(String scope, String name) {
        return new AgentYaml(scope, name);
    }

    public AgentYaml restApi(String listen) {
        root.putObject("restapi").put("listen", listen);
        return this;
    }

    /** {@code etcd3.hosts}: comma-separated host:port pairs. */
    public AgentYaml etcdHosts(String hosts) {
        root.putObject("etcd3").put("hosts", hosts);
        return this;
    }

    /** {@code bootstrap.dcs.<key>}: what the bootstrapping member writes to the config key. */
    public AgentYaml dcs(String key, Object value) {
        dcsNode().putPOJO(key, value);
        return this;
    }

    public AgentYaml timing(TimingSettings timing) {
        return dcs("ttl", timing.ttlSeconds()).dcs("loop_wait", timing.loopWaitSeconds())
                .dcs("retry_timeout", timing.retryTimeoutSeconds());
    }

    /** {@code bootstrap.initdb}: options as initdb takes them (a name, or a one-entry map of name and value). */
    public AgentYaml initdb(Object... options) {
        ObjectNode bootstrap = root.has("bootstrap") ? (ObjectNode) root.get("bootstrap") : root.putObject("bootstrap");
        bootstrap.putPOJO("initdb", java.util.List.of(options));
        return this;
    }

    /** The local PostgreSQL: where it listens, its data directory, and the cluster's two roles. */
    public AgentYaml postgres(String listen, String dataDirectory, String superuserPassword, String replicationPassword) {
        ObjectNode postgres = postgresNode();
        postgres.put("listen", listen);
        postgres.put("data_dir", dataDirectory);
        ObjectNode authentication = postgres.putObject("authentication");
        authentication.putObject("superuser").put("username", "postgres").put("password", superuserPassword);
        authentication.putObject("replication").put("username", "replicator").put("password", replicationPassword);
        return this;
    }

    /** {@code postgresql.<key>} (bin_dir, pgpass, remove_data_directory_on_rewind_failure, ...). */
    public AgentYaml postgresSetting(String key, Object value) {
        postgresNode().putPOJO(key, value);
        return this;
    }

    /** A top-level section ({@code haproxy}, {@code tags}, ...) as key/value pairs. */
    public AgentYaml section(String name, Map<String, ?> values) {
        ObjectNode section = root.putObject(name);
        values.forEach(section::putPOJO);
        return this;
    }

    /**
     * Merges a YAML fragment at the top level (nested mappings merge key by key): for settings
     * a caller writes as text, such as a test's tags.
     */
    public AgentYaml merge(String yamlFragment) {
        if (yamlFragment.isBlank()) {
            return this;
        }
        try {
            JsonNode fragment = YAML.readTree(yamlFragment);
            if (!(fragment instanceof ObjectNode object)) {
                throw new ConfigException("YAML fragment is not a mapping: " + yamlFragment.strip());
            }
            mergeInto(root, object);
            return this;
        } catch (JsonProcessingException e) {
            throw new ConfigException("YAML fragment does not parse: " + e.getOriginalMessage());
        }
    }

    private static void mergeInto(ObjectNode target, ObjectNode source) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = source.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode incoming) {
                mergeInto(existingObject, incoming);
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    public String render() {
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render an agent configuration: " + e.getOriginalMessage(), e);
        }
    }

    private ObjectNode dcsNode() {
        ObjectNode bootstrap = root.has("bootstrap") ? (ObjectNode) root.get("bootstrap") : root.putObject("bootstrap");
        return bootstrap.has("dcs") ? (ObjectNode) bootstrap.get("dcs") : bootstrap.putObject("dcs");
    }

    private ObjectNode postgresNode() {
        return root.has("postgresql") ? (ObjectNode) root.get("postgresql") : root.putObject("postgresql");
    }
}
