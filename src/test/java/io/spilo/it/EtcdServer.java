package io.spilo.it;

import io.spilo.process.ChildProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/** A real single-member etcd on free loopback ports. */
final class EtcdServer implements AutoCloseable {
    private final int clientPort;
    private final int peerPort;
    private final Path directory;
    private ChildProcess process;

    EtcdServer(Path directory) {
        this.directory = directory;
        this.clientPort = FreePorts.next();
        this.peerPort = FreePorts.next();
        start();
    }

    /** Starts etcd (again, with the same data and ports after {@link #stop()}) and waits until it is healthy. */
    void start() {
        String client = url();
        String peer = "http://127.0.0.1:" + peerPort;
        this.process = ChildProcess.start("etcd", List.of("etcd", "--name", "it",
                "--data-dir", directory.resolve("etcd-data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "it=" + peer), directory.resolve("etcd.log"), false);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
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
        return "http://" + hostPort();
    }

    @Override
    public void close() {
        process.close();
    }
}
