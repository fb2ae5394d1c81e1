package io.spilo.config;

import java.nio.file.Path;

/**
 * {@code haproxy:} (Spilo's own section) — where {@code spilo haproxy} listens and keeps its files.
 *
 * @param bind address the client ports listen on
 * @param primaryPort clients connect here to reach the primary (read-write)
 * @param replicaPort clients connect here to reach a replica (read-only, round robin)
 * @param statsPort HAProxy's stats page (HTTP)
 * @param stateDirectory where the generated configuration, pid file and runtime socket live
 * @param binary the haproxy program
 * @param checks how HAProxy's health checks and {@code spilo haproxy} call the members' REST APIs:
 *     over TLS when the {@code ctl}/{@code restapi} files say so
 */
public record HaproxyConfig(String bind, int primaryPort, int replicaPort, int statsPort, Path stateDirectory, Path binary,
        TlsSettings checks) {
    /** Checks over plain HTTP. */
    public HaproxyConfig(String bind, int primaryPort, int replicaPort, int statsPort, Path stateDirectory, Path binary) {
        this(bind, primaryPort, replicaPort, statsPort, stateDirectory, binary, TlsSettings.NONE);
    }

    /** The certificate and decrypted key HAProxy presents to REST APIs that require a client certificate (0600). */
    public Path checkCertificateFile() {
        return stateDirectory.resolve("check-client.pem");
    }

    public Path configFile() {
        return stateDirectory.resolve("haproxy.cfg");
    }

    public Path runtimeSocket() {
        return stateDirectory.resolve("haproxy.sock");
    }

    /** HAProxy's master pid, so that whoever stops the cluster can find it by pid. */
    public Path pidFile() {
        return stateDirectory.resolve("haproxy.pid");
    }

    public Path logFile() {
        return stateDirectory.resolve("haproxy.log");
    }
}
