package io.spilo.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/** Waiting for the demo to be healthy: etcd answers, one primary and the replicas, SQL through HAProxy. */
final class DemoHealth {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private DemoHealth() {
    }


    static void awaitHealthy(DemoLayout layout, DemoSecrets secrets, Path directory) throws InterruptedException {
        HttpClient http = client(layout.tlsFiles());
        String scheme = layout.tlsFiles().isPresent() ? "https" : "http";
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String waitingFor = "agents";
        while (System.nanoTime() < deadline) {
            int primaries = 0;
            int replicas = 0;
            for (DemoLayout.Node node : layout.nodes()) {
                int primary = status(http, scheme + "://127.0.0.1:" + node.apiPort() + "/primary");
                int replica = status(http, scheme + "://127.0.0.1:" + node.apiPort() + "/replica");
                primaries += primary == 200 ? 1 : 0;
                replicas += replica == 200 ? 1 : 0;
            }
            if (primaries == 1 && replicas == DemoPlan.NODES - 1) {
                waitingFor = "HAProxy";
                if (answers(layout.haproxy().primaryPort(), secrets, false, layout.tlsFiles())
                        && answers(layout.haproxy().replicaPort(), secrets, true, layout.tlsFiles())) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new DemoException("the demo cluster did not become healthy within " + READY_TIMEOUT.toSeconds()
                + " s (waiting for " + waitingFor + "); see the logs in " + directory.resolve("logs")
                + " and stop it with: bin/spilo demo stop --dir " + directory);
    }


    /** Whether a SQL client gets through this HAProxy port to a server of the expected kind. */
    private static boolean answers(int port, DemoSecrets secrets, boolean expectStandby, java.util.Optional<DemoTls> tls) {
        Properties properties = new Properties();
        tls.ifPresent(files -> {
            // What the printed connection strings ask of libpq: TLS, and the server's certificate checked.
            properties.setProperty("sslmode", "verify-full");
            properties.setProperty("sslrootcert", files.ca());
        });
        properties.setProperty("user", "postgres");
        properties.setProperty("password", secrets.superuserPassword());
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            return row.next() && row.getBoolean(1) == expectStandby;
        } catch (SQLException e) {
            return false;
        }
    }


    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }


    /** Plain, or with the demo's client certificate and CA. */
    private static HttpClient client(java.util.Optional<DemoTls> tls) {
        return io.spilo.tls.RestClients.create(tls.map(DemoTls::client).orElse(io.spilo.config.TlsSettings.NONE), Duration.ofSeconds(1));
    }

    static void awaitHttp(String what, String url, Duration timeout, java.util.Optional<DemoTls> tls) throws InterruptedException {
        HttpClient http = client(tls);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(http, url) == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new DemoException(what + " did not become healthy within " + timeout.toSeconds() + " s (" + url + ")");
    }
}
