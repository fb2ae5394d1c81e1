package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spilo.config.Credentials;
import io.spilo.config.HostPort;
import io.spilo.config.RestApiConfig;
import io.spilo.config.TimingSettings;
import io.spilo.config.TlsSettings;
import io.spilo.config.VerifyClient;
import io.spilo.ha.HaSettings;
import io.spilo.ha.NodeStatus;
import io.spilo.postgres.LocalState;
import io.spilo.tls.CertificateAuthority;
import io.spilo.tls.RestClients;
import io.spilo.tls.TlsException;
import io.spilo.tls.TlsContexts;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: the REST API over HTTPS with Patroni's verify_client, allowlist and certificate rotation, over real sockets. */
class RestApiTlsTest {
    private static final HaSettings SETTINGS = new HaSettings("node1", new TimingSettings(4, 1, 1), 1_048_576, false, 1, false, 300,
            false, HaSettings.Synchronous.OFF, true, 20, false);
    private static final Credentials OPERATOR = new Credentials("admin", "s3cret");

    @TempDir
    Path directory;
    private CertificateAuthority ca;
    private Path caFile;
    private CertificateAuthority.Issued server;
    private CertificateAuthority.Issued client;
    private CertificateAuthority.Issued stranger;
    private RestApi api;

    @BeforeEach
    void certificates() {
        ca = CertificateAuthority.create("Spilo test CA");
        caFile = ca.writeCertificate(directory.resolve("ca.crt"));
        server = ca.issue("node1", List.of("127.0.0.1", "localhost"), directory, "server");
        client = ca.issue("operator", List.of("127.0.0.1"), directory, "client");
        stranger = CertificateAuthority.create("Another CA").issue("stranger", List.of("127.0.0.1"), directory, "stranger");
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    private void start(VerifyClient verify, Optional<Credentials> authentication, List<String> allowlist) {
        NodeStatus status = new NodeStatus("demo", "node1", "running", "primary", LocalState.empty(), OptionalLong.empty(), 0, 0,
                Optional.empty(), "", SETTINGS, Map.of(), Optional.empty(), io.spilo.fence.FenceState.DISARMED, OptionalLong.empty(),
                OptionalLong.empty(), false);
        HostPort listen = new HostPort("127.0.0.1", 0);
        TlsSettings tls = new TlsSettings(Optional.of(server.certificate()), Optional.of(server.privateKey()), Optional.empty(),
                Optional.of(caFile), false);
        api = RestApi.bind(new RestApiConfig(listen, listen, authentication, tls, verify, List.of(), allowlist, false), () -> status,
                System::nanoTime, new FakeClusterControl());
        api.start();
    }

    /** A new client each time: every call is a new TLS handshake. */
    private HttpClient clientWith(Optional<CertificateAuthority.Issued> identity) {
        return RestClients.create(new TlsSettings(identity.map(CertificateAuthority.Issued::certificate),
                identity.map(CertificateAuthority.Issued::privateKey), Optional.empty(), Optional.of(caFile), false), Duration.ofSeconds(2));
    }

    private HttpResponse<String> call(HttpClient http, String scheme, String method, String path, Optional<Credentials> credentials)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5));
        credentials.ifPresent(user -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user.username() + ":" + user.password()).getBytes(StandardCharsets.UTF_8))));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withVerifyClientRequiredOnlyACertificateOfTheClustersCaGetsThroughTheHandshake() throws Exception {
        start(VerifyClient.REQUIRED, Optional.of(OPERATOR), List.of());

        assertThat(call(clientWith(Optional.of(client)), "https", "GET", "/patroni", Optional.empty()).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> call(clientWith(Optional.empty()), "https", "GET", "/patroni", Optional.empty()))
                .as("no client certificate").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> call(clientWith(Optional.of(stranger)), "https", "GET", "/patroni", Optional.empty()))
                .as("a certificate of another CA").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> call(HttpClient.newHttpClient(), "http", "GET", "/patroni", Optional.empty()))
                .as("plain HTTP").isInstanceOf(IOException.class);
    }

    @Test
    void withVerifyClientRequiredActionsStillNeedTheCredentials() throws Exception {
        start(VerifyClient.REQUIRED, Optional.of(OPERATOR), List.of());

        assertThat(call(clientWith(Optional.of(client)), "https", "DELETE", "/switchover", Optional.empty()).statusCode()).isEqualTo(401);
        assertThat(call(clientWith(Optional.of(client)), "https", "DELETE", "/switchover", Optional.of(OPERATOR)).statusCode())
                .isNotIn(401, 403);
    }

    @Test
    void withVerifyClientOptionalAnActionNeedsAValidCertificateOrTheCredentials() throws Exception {
        start(VerifyClient.OPTIONAL, Optional.of(OPERATOR), List.of());

        assertThat(call(clientWith(Optional.empty()), "https", "GET", "/patroni", Optional.empty()).statusCode())
                .as("reads need no certificate").isEqualTo(200);
        assertThat(call(clientWith(Optional.empty()), "https", "DELETE", "/switchover", Optional.empty()).statusCode()).isEqualTo(401);
        assertThat(call(clientWith(Optional.of(client)), "https", "DELETE", "/switchover", Optional.empty()).statusCode()).isNotIn(401, 403);
        assertThat(call(clientWith(Optional.empty()), "https", "DELETE", "/switchover", Optional.of(OPERATOR)).statusCode()).isNotIn(401, 403);
        assertThatThrownBy(() -> call(clientWith(Optional.of(stranger)), "https", "GET", "/patroni", Optional.empty()))
                .as("a certificate that is given must be valid").isInstanceOf(IOException.class);
    }

    @Test
    void anAllowlistRefusesActionsFromOtherAddressesButNotReads() throws Exception {
        start(VerifyClient.NONE, Optional.empty(), List.of("10.1.2.0/24"));
        assertThat(call(clientWith(Optional.empty()), "https", "DELETE", "/switchover", Optional.empty()).statusCode()).isEqualTo(403);
        assertThat(call(clientWith(Optional.empty()), "https", "GET", "/patroni", Optional.empty()).statusCode()).isEqualTo(200);
        api.close();

        start(VerifyClient.NONE, Optional.empty(), List.of("127.0.0.0/8"));
        assertThat(call(clientWith(Optional.empty()), "https", "DELETE", "/switchover", Optional.empty()).statusCode()).isNotIn(401, 403);
    }

    @Test
    void aReplacedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
        start(VerifyClient.NONE, Optional.empty(), List.of());
        BigInteger before = servedSerial();

        CertificateAuthority.Issued renewed = ca.issue("node1", List.of("127.0.0.1"), directory, "server");
        X509Certificate expected = io.spilo.tls.PemFiles.certificates(renewed.certificate()).get(0);

        assertThat(servedSerial()).isNotEqualTo(before).isEqualTo(expected.getSerialNumber());
    }

    private BigInteger servedSerial() throws Exception {
        HttpResponse<String> response = call(clientWith(Optional.empty()), "https", "GET", "/patroni", Optional.empty());
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void keysAreWrittenForTheOwnerOnlyAndBadFilesAreNamed() throws Exception {
        assertThat(Files.getPosixFilePermissions(server.privateKey()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        TlsSettings mismatched = new TlsSettings(Optional.of(server.certificate()), Optional.of(client.privateKey()), Optional.empty(),
                Optional.empty(), false);
        assertThatThrownBy(() -> TlsContexts.server(mismatched)).isInstanceOf(TlsException.class)
                .hasMessageContaining(client.privateKey() + " is not the private key of the certificate in " + server.certificate());
        TlsSettings missing = new TlsSettings(Optional.of(directory.resolve("nope.crt")), Optional.empty(), Optional.empty(),
                Optional.empty(), false);
        assertThatThrownBy(() -> TlsContexts.server(missing)).isInstanceOf(TlsException.class).hasMessageContaining("nope.crt: no such file");
    }
}
