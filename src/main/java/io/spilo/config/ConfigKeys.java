package io.spilo.config;

import java.util.Map;
import java.util.Set;

/** The configuration keys Spilo reads, and the environment variables that override them. */
final class ConfigKeys {
    private ConfigKeys() {
    }

    /** Environment variable suffix (after SPILO_ or PATRONI_) to the key path it overrides. */
    static final Map<String, String> ENVIRONMENT_KEYS = Map.ofEntries(
            Map.entry("SCOPE", "scope"),
            Map.entry("NAMESPACE", "namespace"),
            Map.entry("NAME", "name"),
            Map.entry("RESTAPI_LISTEN", "restapi.listen"),
            Map.entry("RESTAPI_CONNECT_ADDRESS", "restapi.connect_address"),
            Map.entry("RESTAPI_USERNAME", "restapi.authentication.username"),
            Map.entry("RESTAPI_PASSWORD", "restapi.authentication.password"),
            Map.entry("RESTAPI_CERTFILE", "restapi.certfile"),
            Map.entry("RESTAPI_KEYFILE", "restapi.keyfile"),
            Map.entry("RESTAPI_KEYFILE_PASSWORD", "restapi.keyfile_password"),
            Map.entry("RESTAPI_CAFILE", "restapi.cafile"),
            Map.entry("RESTAPI_VERIFY_CLIENT", "restapi.verify_client"),
            Map.entry("RESTAPI_CIPHERS", "restapi.ciphers"),
            Map.entry("RESTAPI_ALLOWLIST", "restapi.allowlist"),
            Map.entry("RESTAPI_ALLOWLIST_INCLUDE_MEMBERS", "restapi.allowlist_include_members"),
            Map.entry("CTL_CERTFILE", "ctl.certfile"),
            Map.entry("CTL_KEYFILE", "ctl.keyfile"),
            Map.entry("CTL_KEYFILE_PASSWORD", "ctl.keyfile_password"),
            Map.entry("CTL_CACERT", "ctl.cacert"),
            Map.entry("CTL_INSECURE", "ctl.insecure"),
            Map.entry("ETCD3_HOSTS", "etcd3.hosts"),
            Map.entry("ETCD3_HOST", "etcd3.host"),
            Map.entry("ETCD3_PROTOCOL", "etcd3.protocol"),
            Map.entry("ETCD3_USERNAME", "etcd3.username"),
            Map.entry("ETCD3_PASSWORD", "etcd3.password"),
            Map.entry("ETCD3_CACERT", "etcd3.cacert"),
            Map.entry("ETCD3_CERT", "etcd3.cert"),
            Map.entry("ETCD3_KEY", "etcd3.key"),
            Map.entry("POSTGRESQL_LISTEN", "postgresql.listen"),
            Map.entry("POSTGRESQL_CONNECT_ADDRESS", "postgresql.connect_address"),
            Map.entry("POSTGRESQL_DATA_DIR", "postgresql.data_dir"),
            Map.entry("POSTGRESQL_BIN_DIR", "postgresql.bin_dir"),
            Map.entry("POSTGRESQL_PGPASS", "postgresql.pgpass"),
            Map.entry("SUPERUSER_USERNAME", "postgresql.authentication.superuser.username"),
            Map.entry("SUPERUSER_PASSWORD", "postgresql.authentication.superuser.password"),
            Map.entry("REPLICATION_USERNAME", "postgresql.authentication.replication.username"),
            Map.entry("REPLICATION_PASSWORD", "postgresql.authentication.replication.password"));

    /** Key paths Spilo reads. Anything else in the file is reported as unsupported. */
    static final Set<String> SUPPORTED_PREFIXES = Set.of(
            "scope", "namespace", "name",
            "restapi.listen", "restapi.connect_address", "restapi.authentication",
            "restapi.certfile", "restapi.keyfile", "restapi.keyfile_password", "restapi.cafile", "restapi.ciphers",
            "restapi.verify_client", "restapi.allowlist", "restapi.allowlist_include_members",
            "ctl.certfile", "ctl.keyfile", "ctl.keyfile_password", "ctl.cacert", "ctl.insecure",
            "etcd3.host", "etcd3.hosts", "etcd3.protocol", "etcd3.username", "etcd3.password",
            "etcd3.cacert", "etcd3.cert", "etcd3.key",
            "bootstrap.dcs", "bootstrap.initdb", "bootstrap.method", "bootstrap.pgbackrest",
            "postgresql.listen", "postgresql.connect_address", "postgresql.data_dir", "postgresql.bin_dir",
            "postgresql.pgpass", "postgresql.authentication.superuser", "postgresql.authentication.replication",
            "postgresql.parameters", "postgresql.pg_hba", "postgresql.use_pg_rewind",
            "postgresql.remove_data_directory_on_rewind_failure", "postgresql.os_user",
            "postgresql.pg_ctl_timeout", "postgresql.create_replica_methods", "postgresql.pgbackrest",
            "postgresql.basebackup", "tags", "watchdog.mode", "watchdog.device", "watchdog.safety_margin",
            "haproxy.bind", "haproxy.primary_port", "haproxy.replica_port", "haproxy.stats_port", "haproxy.state_dir",
            "haproxy.bin", "backup", "etcd_proxy");
}
