package io.spilo.config;

import java.util.List;
import java.util.Map;

/**
 * One agent's whole configuration, as read from a Patroni-style YAML file plus environment overrides.
 *
 * @param restClient how this agent and the operator commands call members' REST APIs: Patroni's
 *     {@code ctl} section, each file falling back to the {@code restapi} one
 * @param backup WAL archiving and base backups with pgBackRest, when configured
 * @param etcdProxy the node appliance's local etcd gRPC proxy, when configured
 */
public record SpiloConfig(
        String scope,
        String namespace,
        String name,
        RestApiConfig restApi,
        TlsSettings restClient,
        EtcdConfig etcd,
        BootstrapConfig bootstrap,
        PostgresConfig postgres,
        Tags tags,
        HaproxyConfig haproxy,
        WatchdogConfig watchdog,
        java.util.Optional<BackupConfig> backup,
        java.util.Optional<EtcdProxyConfig> etcdProxy,
        List<String> unsupportedKeys) {
    public SpiloConfig {
        unsupportedKeys = List.copyOf(unsupportedKeys);
    }

    /** The etcd prefix of this cluster, {@code /<namespace>/<scope>/}. */
    public String clusterPrefix() {
        return namespace + scope + "/";
    }

    /** Member tags as Patroni documents them; values are kept as written for the member key. */
    public record Tags(Map<String, Object> values) {
        public Tags {
            values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        }

        public boolean noFailover() {
            return isTrue(values.get("nofailover"));
        }

        public boolean noLoadBalance() {
            return isTrue(values.get("noloadbalance"));
        }

        public boolean noSync() {
            return isTrue(values.get("nosync"));
        }

        /** Patroni's failover_priority: 0 or less means never promoted; default 1. */
        public int failoverPriority() {
            Object value = values.get("failover_priority");
            if (value instanceof Number number) {
                return number.intValue();
            }
            return noFailover() ? 0 : 1;
        }

        private static boolean isTrue(Object value) {
            return Boolean.TRUE.equals(value) || "true".equalsIgnoreCase(String.valueOf(value));
        }
    }
}
