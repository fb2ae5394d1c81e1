package io.spilo.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.spilo.api.RestApi;
import io.spilo.config.AgentYaml;
import io.spilo.config.ConfigLoader;
import io.spilo.config.SpiloConfig;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.etcd.EtcdDcs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * Runs, for a second or two and against nothing, the code an agent runs first: the configuration
 * parser, the etcd client (gRPC over Netty), the REST server and the HTTP client, the JDBC driver.
 * The build runs it with {@code -XX:ArchiveClassesAtExit} so that the classes it loads go into a
 * class-data archive next to the jar ({@link io.spilo.process.JvmOptions#archiveBeside}), which
 * every later start maps instead of loading and verifying the classes again.
 */
@Command(name = "warm-up", hidden = true, description = "Load the classes an agent uses, then exit (for the class-data archive).")
final class WarmUpCommand implements Callable<Integer> {
    /** A loopback port nothing listens on (the TCP port service multiplexer is never run): every call fails at once. */
    private static final String NOWHERE = "127.0.0.1:1";

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public Integer call() throws Exception {
        // Everything below fails by design; none of it is news to the person building.
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        Path directory = Files.createTempDirectory("spilo-warm-up-");
        try {
            SpiloConfig config = ConfigLoader.parse(AgentYaml.member("warm-up", "warm-up")
                    .restApi("127.0.0.1:" + freePort())
                    .etcdHosts(NOWHERE)
                    .postgres(NOWHERE, directory.resolve("data").toString(), "warm-up", "warm-up")
                    .render(), "warm-up", Map.of());
            try (EtcdDcs dcs = new EtcdDcs(config.etcd(), config.clusterPrefix(), config.name(), Duration.ofMillis(300))) {
                dcs.read();
            } catch (DcsException expected) {
                // nothing listens there
            }
            RestApi api = RestApi.bind(config.restApi(), () -> null, System::nanoTime, null);
            try {
                api.start();
                io.spilo.tls.RestClients.create(config.restClient(), Duration.ofSeconds(1))
                        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/health"))
                                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException expected) {
                // a server with no status to tell may hang up: the classes of both ends are loaded all the same
            } finally {
                api.close();
            }
            Properties properties = new Properties();
            properties.setProperty("connectTimeout", "1");
            try (java.sql.Connection ignored = DriverManager.getConnection("jdbc:postgresql://" + NOWHERE + "/postgres", properties)) {
                // never reached
            } catch (SQLException expected) {
                // nothing listens there
            }
            return ExitCodes.OK;
        } finally {
            Files.deleteIfExists(directory);
        }
    }
}
