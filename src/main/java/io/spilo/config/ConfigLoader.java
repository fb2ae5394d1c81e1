package io.spilo.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a Patroni-style YAML file (the {@code etcd3} store) into a {@link SpiloConfig}.
 * Environment variables {@code SPILO_*} and {@code PATRONI_*} override the file, SPILO_ first.
 * Every problem is a {@link ConfigException} naming the key path; keys Spilo does not use are
 * listed in {@link SpiloConfig#unsupportedKeys()} so the agent can report them once.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    public static SpiloConfig load(Path file, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file; pass the configuration with -c FILE");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString(), environment);
    }

    public static SpiloConfig parse(String yaml, String origin, Map<String, String> environment) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : ": line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(origin + where + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(origin + ": the top level must be a mapping of keys (scope, name, postgresql, ...)");
        }
        ObjectNode tree = (ObjectNode) root;
        applyEnvironment(tree, environment);
        return new Reader(tree).read();
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> environment) {
        for (String prefix : List.of("PATRONI_", "SPILO_")) {
            for (Map.Entry<String, String> entry : ConfigKeys.ENVIRONMENT_KEYS.entrySet()) {
                String value = environment.get(prefix + entry.getKey());
                if (value != null) {
                    setPath(tree, entry.getValue(), value);
                }
            }
        }
    }

    private static void setPath(ObjectNode tree, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        node.put(parts[parts.length - 1], value);
    }

    /** Walks the tree once, turning each value into its typed field or a ConfigException. */
    private static final class Reader extends ConfigTree {
        Reader(ObjectNode root) {
            super(root);
        }

        SpiloConfig read() {
            String scope = requiredText("scope");
            String name = requiredText("name");
            String namespace = optionalText("namespace").orElse("/service/");
            if (!namespace.startsWith("/")) {
                namespace = "/" + namespace;
            }
            if (!namespace.endsWith("/")) {
                namespace = namespace + "/";
            }
            if (name.contains("/")) {
                throw new ConfigException("name: '" + name + "' must not contain '/'");
            }

            HostPort restListen = HostPort.parse(requiredText("restapi.listen"), "restapi.listen");
            HostPort restConnect = optionalText("restapi.connect_address")
                    .map(text -> HostPort.parse(text, "restapi.connect_address"))
                    .orElse(restListen.connectable());
            RestApiConfig restApi = TlsSections.restApi(this, restListen, restConnect, credentials("restapi.authentication"));

            TlsSettings restClient = TlsSections.ctl(this);
            EtcdConfig etcd = etcd();
            PostgresConfig postgres = postgres();
            BootstrapConfig bootstrap = bootstrap();
            SpiloConfig.Tags tags = new SpiloConfig.Tags(tags());

            HaproxyConfig haproxy = new HaproxyConfig(
                    optionalText("haproxy.bind").orElse("127.0.0.1"),
                    port("haproxy.primary_port", 5000),
                    port("haproxy.replica_port", 5001),
                    port("haproxy.stats_port", 7000),
                    absolutePath("haproxy.state_dir", optionalText("haproxy.state_dir")
                            .orElse(Path.of(System.getProperty("java.io.tmpdir"), "spilo-haproxy-" + scope + "-" + name).toString())),
                    Path.of(optionalText("haproxy.bin").orElse("haproxy")), restClient);
            return new SpiloConfig(scope, namespace, name, restApi, restClient, etcd, bootstrap, postgres, tags, haproxy,
                    WatchdogConfig.from(root.get("watchdog")), BackupConfig.from(root.get("backup"), scope),
                    EtcdProxyConfig.from(root.get("etcd_proxy")), unsupportedKeys());
        }

        private EtcdConfig etcd() {
            JsonNode etcd3 = root.get("etcd3");
            if (etcd3 == null || !etcd3.isObject()) {
                if (root.has("etcd")) {
                    throw new ConfigException("etcd: the etcd v2 store is not supported; rename the section to etcd3");
                }
                throw new ConfigException("etcd3: missing (Spilo uses etcd v3: etcd3.hosts: host:port[,host:port])");
            }
            TlsSettings tls = TlsSections.etcd(this);
            // TLS files without a protocol mean https: a file naming a CA is not meant for plain text.
            String protocol = optionalText("etcd3.protocol").orElse(tls.enabled() ? "https" : "http");
            if (!protocol.equals("http") && !protocol.equals("https")) {
                throw new ConfigException("etcd3.protocol: '" + protocol + "' must be http or https");
            }
            List<String> hosts = new ArrayList<>();
            JsonNode hostsNode = etcd3.get("hosts");
            if (hostsNode != null && hostsNode.isArray()) {
                hostsNode.forEach(node -> hosts.add(node.asText()));
            } else if (hostsNode != null && !hostsNode.isNull()) {
                for (String part : hostsNode.asText().split(",")) {
                    if (!part.isBlank()) {
                        hosts.add(part.strip());
                    }
                }
            }
            optionalText("etcd3.host").ifPresent(hosts::add);
            if (hosts.isEmpty()) {
                throw new ConfigException("etcd3.hosts: missing (host:port[,host:port])");
            }
            List<String> endpoints = new ArrayList<>();
            for (String host : hosts) {
                if (host.startsWith("http://") || host.startsWith("https://")) {
                    endpoints.add(host);
                } else {
                    endpoints.add(protocol + "://" + HostPort.parse(host, "etcd3.hosts"));
                }
            }
            Optional<Credentials> credentials = optionalText("etcd3.username")
                    .map(user -> new Credentials(user, optionalText("etcd3.password").orElse("")));
            EtcdConfig config = new EtcdConfig(endpoints, credentials, tls);
            if (tls.enabled() && !config.https()) {
                throw new ConfigException("etcd3.cacert/cert/key are set but etcd3.protocol is http; set etcd3.protocol: https"
                        + " (or https:// hosts), or remove the TLS files");
            }
            return config;
        }

        private PostgresConfig postgres() {
            if (!(root.get("postgresql") instanceof ObjectNode)) {
                throw new ConfigException("postgresql: missing (needs at least listen, data_dir and authentication)");
            }
            HostPort listen = HostPort.parse(requiredText("postgresql.listen"), "postgresql.listen");
            HostPort connect = optionalText("postgresql.connect_address")
                    .map(text -> HostPort.parse(text, "postgresql.connect_address"))
                    .orElse(listen.connectable());
            Path dataDirectory = absolutePath("postgresql.data_dir", requiredText("postgresql.data_dir"));
            Path binDirectory = absolutePath("postgresql.bin_dir",
                    optionalText("postgresql.bin_dir").orElse("/usr/lib/postgresql/15/bin"));
            Path passfile = absolutePath("postgresql.pgpass", optionalText("postgresql.pgpass")
                    .orElse(dataDirectory.resolveSibling(dataDirectory.getFileName() + ".pgpass").toString()));
            Credentials superuser = credentials("postgresql.authentication.superuser")
                    .orElseThrow(() -> new ConfigException("postgresql.authentication.superuser: missing (username and password)"));
            Credentials replication = credentials("postgresql.authentication.replication")
                    .orElseThrow(() -> new ConfigException("postgresql.authentication.replication: missing (username and password)"));
            if (superuser.password() == null || superuser.password().isEmpty()) {
                throw new ConfigException("postgresql.authentication.superuser.password: missing");
            }
            if (replication.password() == null || replication.password().isEmpty()) {
                throw new ConfigException("postgresql.authentication.replication.password: missing");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            JsonNode parametersNode = root.path("postgresql").path("parameters");
            if (parametersNode.isObject()) {
                parametersNode.fields().forEachRemaining(field -> parameters.put(field.getKey(), scalar(field.getValue())));
            } else if (!parametersNode.isMissingNode() && !parametersNode.isNull()) {
                throw new ConfigException("postgresql.parameters: must be a mapping of parameter: value");
            }
            List<String> pgHba = new ArrayList<>();
            JsonNode hbaNode = root.path("postgresql").path("pg_hba");
            if (hbaNode.isArray()) {
                hbaNode.forEach(line -> pgHba.add(line.asText()));
            } else if (!hbaNode.isMissingNode() && !hbaNode.isNull()) {
                throw new ConfigException("postgresql.pg_hba: must be a list of pg_hba.conf lines");
            }
            return new PostgresConfig(listen, connect, dataDirectory, binDirectory, passfile, superuser, replication,
                    clientSsl("postgresql.authentication.superuser"), clientSsl("postgresql.authentication.replication"),
                    parameters, pgHba,
                    bool("postgresql.use_pg_rewind", true),
                    bool("postgresql.remove_data_directory_on_rewind_failure", false),
                    optionalText("postgresql.os_user").orElse("postgres"),
                    integer("postgresql.pg_ctl_timeout", 60),
                    ReplicaMethod.from(root.path("postgresql")));
        }

        private BootstrapConfig bootstrap() {
            JsonNode dcs = root.path("bootstrap").path("dcs");
            ObjectNode dcsObject;
            if (dcs.isObject()) {
                dcsObject = (ObjectNode) dcs;
            } else if (dcs.isMissingNode() || dcs.isNull()) {
                dcsObject = JsonNodeFactory.instance.objectNode();
            } else {
                throw new ConfigException("bootstrap.dcs: must be a mapping (ttl, loop_wait, retry_timeout, ...)");
            }
            for (String key : List.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover")) {
                JsonNode value = dcsObject.get(key);
                if (value != null && !value.canConvertToInt() && !(value.isTextual() && value.asText().matches("\\d+"))) {
                    throw new ConfigException("bootstrap.dcs." + key + ": '" + value.asText() + "' is not a whole number");
                }
            }
            List<String> initdb = new ArrayList<>();
            JsonNode initdbNode = root.path("bootstrap").path("initdb");
            if (initdbNode.isArray()) {
                for (JsonNode option : initdbNode) {
                    if (option.isObject()) {
                        option.fields().forEachRemaining(field -> initdb.add(field.getKey() + "=" + scalar(field.getValue())));
                    } else {
                        initdb.add(option.asText());
                    }
                }
            } else if (!initdbNode.isMissingNode() && !initdbNode.isNull()) {
                throw new ConfigException("bootstrap.initdb: must be a list (- data-checksums, - encoding: UTF8)");
            }
            return new BootstrapConfig(dcsObject, initdb, BootstrapMethod.from(root.path("bootstrap")));
        }

        private Map<String, Object> tags() {
            Map<String, Object> tags = new LinkedHashMap<>();
            JsonNode tagsNode = root.get("tags");
            if (tagsNode == null || tagsNode.isNull()) {
                return tags;
            }
            if (!tagsNode.isObject()) {
                throw new ConfigException("tags: must be a mapping (nofailover: true, ...)");
            }
            tagsNode.fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                Object converted = value.isBoolean() ? (Object) value.booleanValue()
                        : value.isIntegralNumber() ? (Object) value.intValue()
                        : value.asText();
                if (field.getKey().equals("failover_priority") && !(converted instanceof Integer)) {
                    throw new ConfigException("tags.failover_priority: '" + value.asText() + "' is not a whole number");
                }
                tags.put(field.getKey(), converted);
            });
            return tags;
        }

        private List<String> unsupportedKeys() {
            Set<String> unsupported = new TreeSet<>();
            collectUnsupported(root, "", unsupported);
            return List.copyOf(unsupported);
        }

        private static void collectUnsupported(JsonNode node, String path, Set<String> unsupported) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (ConfigKeys.SUPPORTED_PREFIXES.contains(childPath)) {
                    continue;
                }
                boolean isAncestor = ConfigKeys.SUPPORTED_PREFIXES.stream().anyMatch(key -> key.startsWith(childPath + "."));
                if (isAncestor && field.getValue().isObject()) {
                    collectUnsupported(field.getValue(), childPath, unsupported);
                } else {
                    unsupported.add(childPath);
                }
            }
        }

        private static String scalar(JsonNode value) {
            if (value.isContainerNode()) {
                throw new ConfigException("'" + value + "' must be a single value");
            }
            return value.asText();
        }
    }
}
