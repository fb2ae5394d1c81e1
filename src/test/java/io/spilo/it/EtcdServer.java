package io.spilo.it;

import io.spilo.config.TlsSettings;
import io.spilo.process.ChildProcess;
import io.spilo.process.ProcessResult;
import io.spilo.process.ProcessRunner;
import io.spilo.tls.RestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;

/** A real single-member etcd on free loopback ports; with {@link Tls}, clients connect over TLS and must present a certificate. */
final class EtcdServer implements AutoCloseable {
    /** etcd's own certificate and key, and the CA that client certificates must chain to ({@code --client-cert-auth}). */
    record Tls(Path certificate, Path key, Path ca) {
        TlsSettings asClient() {
            return new TlsSettings(Optional.of(certificate), Optional.of(key), Optional.empty(), Optional.of(ca), false);
        }
    }

    private final int clientPort;
    private final int peerPort;
    private final Path directory;
    private final Optional<Tls> tls;
    /** user:password of etcd's root once authentication is on. */
    private Optional<String> rootUser = Optional.empty();
    private ChildProcess process;

    EtcdServer(Path directory) {
        this(directory, Optional.empty());
    }

    EtcdServer(Path directory, Optional<Tls> tls) {
        this.directory = directory;
        this.tls = tls;
        this.clientPort = FreePorts.next();
        this.peerPort = FreePorts.next();
        start();
    }

    /** Starts etcd (again, with the same data and ports after {@link #stop()}) and waits until it is healthy. */
    void start() {
        String client = url();
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of("etcd", "--name", "it",
                "--data-dir", directory.resolve("etcd-data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "it=" + peer));
        tls.ifPresent(files -> command.addAll(List.of("--cert-file", files.certificate().toString(),
                "--key-file", files.key().toString(), "--trusted-ca-file", files.ca().toString(), "--client-cert-auth")));
        this.process = ChildProcess.start("etcd", command, directory.resolve("etcd.log"), false);
        HttpClient http = RestClients.create(tls.map(Tls::asClient).orElse(TlsSettings.NONE), Duration.ofSeconds(1));
        Awaitility.await("etcd health on " + client).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("true"));
    }

    /** Stops etcd by pid and waits for it to exit. */
    void stop() {
        process.close();
    }

    String hostPort() {
        return "127.0.0.1:" + clientPort;
    }

    String url() {
        return (tls.isPresent() ? "https://" : "http://") + hostPort();
    }

    /**
     * Turns on etcd's role-based authentication: a root user, and {@code user} with read-write access
     * to {@code prefix} only (what an agent needs). Run with etcd's own certificate as the client one.
     */
    void enableAuthentication(String user, String password, String prefix) {
        rootUser = Optional.of("root:" + password + "-root");
        etcdctl("user", "add", rootUser.get());
        etcdctl("role", "add", "spilo-agents");
        etcdctl("role", "grant-permission", "spilo-agents", "--prefix=true", "readwrite", prefix);
        etcdctl("user", "add", user + ":" + password);
        etcdctl("user", "grant-role", user, "spilo-agents");
        etcdctl("auth", "enable");
    }

    /** Every key and value in etcd, as {@code etcdctl get --prefix ""} prints them (as root when authentication is on). */
    String everything() {
        return etcdctl("get", "--prefix", "");
    }

    private String etcdctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", url()));
        if (!arguments[0].equals("user") && !arguments[0].equals("role") && !arguments[0].equals("auth")) {
            rootUser.ifPresent(user -> command.addAll(List.of("--user", user)));
        }
        tls.ifPresent(files -> command.addAll(List.of("--cacert", files.ca().toString(), "--cert", files.certificate().toString(),
                "--key", files.key().toString())));
        command.addAll(List.of(arguments));
        ProcessResult result = ProcessRunner.asCurrentUser().run(command, Map.of("ETCDCTL_API", "3"), Duration.ofSeconds(20));
        if (!result.succeeded()) {
            throw new IllegalStateException("etcdctl " + arguments[0] + " " + arguments[1] + " failed: " + result.tail());
        }
        return result.output();
    }

    @Override
    public void close() {
        process.close();
    }
}
