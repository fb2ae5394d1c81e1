package io.spilo.config;

/** The smallest agent file the loader accepts, Patroni's layout; tests add or replace lines. */
final class MinimalConfig {
    static final String YAML = """
            scope: demo
            name: node1
            restapi:
              listen: 127.0.0.1:8008
            etcd3:
              hosts: 127.0.0.1:2379
            postgresql:
              listen: 127.0.0.1:5432
              data_dir: /srv/data
              authentication:
                superuser: {username: postgres, password: secret}
                replication: {username: replicator, password: repl}
            """;

    private MinimalConfig() {
    }

    /** The minimal file with {@code lines} (indented for the section) added at the top of {@code section}. */
    static String withLines(String section, String lines) {
        String header = section + ":\n";
        if (!YAML.contains(header)) {
            throw new IllegalArgumentException("the minimal file has no section " + section);
        }
        return YAML.replace(header, header + lines);
    }
}
