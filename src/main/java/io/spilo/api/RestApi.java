package io.spilo.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.spilo.config.RestApiConfig;
import io.spilo.tls.TlsContexts;
import io.spilo.tls.TlsException;
import javax.net.ssl.SSLContext;
import io.spilo.config.HostPort;
import io.spilo.ha.NodeStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's REST API: Patroni's health checks and status endpoints. Handlers only read the
 * latest {@link NodeStatus}; they never touch PostgreSQL or etcd, so a slow store or database
 * cannot make a health check hang.
 */
public final class RestApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Actions (switchover, restart, ...) running at once; more are answered 503 at once, never queued behind. */
    public static final int CONCURRENT_ACTIONS = 2;
    /** Most threads that read requests and answer them: slow clients and waiting actions must leave plenty for health checks. */
    private static final int REQUEST_THREADS = 32;

    static {
        // The JDK server reads request headers on its executor threads with no deadline unless this is
        // set: a client sending half a request would hold a thread for good. It bounds only the reading
        // of the request (the clock stops once it is read), never a long action's answer.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "2");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<NodeStatus> status;
    private final LongSupplier nanoClock;
    private final ActionAccess access;
    private final ClusterControl control;
    private final java.util.concurrent.Semaphore actionPermits = new java.util.concurrent.Semaphore(CONCURRENT_ACTIONS);
    private volatile Optional<io.spilo.backup.BackupService> backups = Optional.empty();
    private volatile Supplier<java.util.List<io.spilo.ha.ClusterEvent>> events = java.util.List::of;

    private RestApi(HttpServer server, Supplier<NodeStatus> status, LongSupplier nanoClock, ActionAccess access, ClusterControl control) {
        this.server = server;
        this.status = status;
        this.nanoClock = nanoClock;
        this.access = access;
        this.control = control;
        this.executor = RequestThreads.start("rest-api", REQUEST_THREADS);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds the listen address now, so that a port already in use is reported before anything else
     * starts; with {@code restapi.certfile}, HTTPS (the certificate files are read now, and again
     * whenever they change).
     */
    public static RestApi bind(RestApiConfig config, Supplier<NodeStatus> status, LongSupplier nanoClock, ClusterControl control) {
        HostPort listen = config.listen();
        ActionAccess access = new ActionAccess(config);
        SSLContext tls = null;
        if (config.https()) {
            try {
                tls = TlsContexts.server(config.tls());
                java.util.List<String> supported = java.util.List.of(tls.getSupportedSSLParameters().getCipherSuites());
                for (String cipher : config.ciphers()) {
                    if (!supported.contains(cipher)) {
                        throw new ApiException("restapi.ciphers: '" + cipher + "' is not a cipher suite this Java supports"
                                + " (JSSE names, for example TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)");
                    }
                }
            } catch (TlsException e) {
                throw new ApiException("restapi TLS: " + e.getMessage());
            }
        }
        try {
            HttpServer server;
            InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
            if (tls == null) {
                server = HttpServer.create(address, 64);
            } else {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new ClientCertificatePolicy(tls, config.verifyClient(), config.ciphers()));
                server = https;
            }
            return new RestApi(server, status, nanoClock, access, control);
        } catch (BindException e) {
            throw new ApiException("restapi.listen " + listen + ": " + e.getMessage()
                    + "; another process uses this port: stop it or choose another restapi.listen port");
        } catch (IOException e) {
            throw new ApiException("restapi.listen " + listen + ": cannot listen: " + e.getMessage());
        }
    }

    /** Serves the backup endpoints ({@code backup:} is configured); before {@link #start()}. */
    public void serveBackups(io.spilo.backup.BackupService service) {
        backups = Optional.of(service);
    }

    /** Serves the agent's event log (GET /events, the status page); before {@link #start()}. */
    public void serveEvents(Supplier<java.util.List<io.spilo.ha.ClusterEvent>> log) {
        events = log;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void start() {
        server.start();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            URI uri = exchange.getRequestURI();
            String path = uri.getPath().length() > 1 && uri.getPath().endsWith("/")
                    ? uri.getPath().substring(0, uri.getPath().length() - 1) : uri.getPath();
            NodeStatus current = status.get();
            Response response = switch (method) {
                case "GET", "HEAD", "OPTIONS" -> get(path, query(uri), current);
                case "POST", "PUT", "PATCH", "DELETE" -> {
                    Optional<ActionAccess.Refusal> refusal = access.check(exchange, current);
                    yield refusal.isPresent() ? Response.text(refusal.get().status(), refusal.get().reason())
                            : actLimited(method, path, exchange, current);
                }
                default -> Response.json(405, message("method " + method + " is not supported"));
            };
            if (response.status() == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Spilo\"");
            }
            if (method.equals("GET")) {
                // The status page, served by one member, reads the others when that member stops answering.
                exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
            }
            boolean statusOnly = method.equals("HEAD") || method.equals("OPTIONS");
            send(exchange, response, statusOnly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, Response.text(503, "interrupted"), false);
        } catch (RuntimeException e) {
            LOG.warn("REST request {} failed: {}", exchange.getRequestURI(), e.toString());
            send(exchange, Response.json(500, message("internal error: " + e.getMessage())), false);
        }
    }

    /** At most {@link #CONCURRENT_ACTIONS} at once: a busy agent says so instead of piling requests up. */
    private Response actLimited(String method, String path, HttpExchange exchange, NodeStatus current)
            throws IOException, InterruptedException {
        if (!actionPermits.tryAcquire()) {
            return Response.text(503, "busy: " + CONCURRENT_ACTIONS + " actions are in progress on this member; try again");
        }
        try {
            return act(method, path, exchange, current);
        } finally {
            actionPermits.release();
        }
    }

    private Response act(String method, String path, HttpExchange exchange, NodeStatus current) throws IOException, InterruptedException {
        ObjectNode body;
        try {
            body = readBody(exchange);
        } catch (Actions.BadRequest e) {
            return Response.text(400, e.getMessage());
        }
        int ttl = current.settings().timing().ttlSeconds();
        int loopWait = current.settings().timing().loopWaitSeconds();
        Actions actions = new Actions(control, () -> java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC),
                java.time.Duration.ofSeconds(2L * ttl + 2L * loopWait + 10));
        Actions.Reply reply;
        try {
            reply = switch (method + " " + path) {
                case "POST /switchover" -> actions.switchover(body, false);
                case "POST /failover" -> actions.switchover(body, true);
                case "DELETE /switchover", "DELETE /failover" -> actions.cancelSwitchover();
                case "POST /restart" -> actions.restart(body);
                case "DELETE /restart" -> actions.submit(new io.spilo.ha.AgentAction.CancelRestart(), java.time.Duration.ofSeconds(30));
                case "POST /reload" -> actions.submit(new io.spilo.ha.AgentAction.Reload(), java.time.Duration.ofSeconds(60));
                case "POST /reinitialize" -> actions.submit(new io.spilo.ha.AgentAction.Reinitialize(
                        body.path("force").asBoolean(false)), java.time.Duration.ofSeconds(120));
                case "PATCH /config" -> actions.config(body, false);
                case "PUT /config" -> actions.config(body, true);
                case "POST /failsafe" -> failsafe(body);
                case "POST /backup" -> BackupEndpoints.start(backups, body, current, nanoClock.getAsLong());
                default -> Actions.Reply.text(404, "no such action: " + method + " " + path);
            };
        } catch (Actions.BadRequest e) {
            return Response.text(400, e.getMessage());
        } catch (io.spilo.dcs.DcsException e) {
            return Response.text(503, "etcd is not reachable: " + e.getMessage());
        }
        return reply(reply);
    }

    private static Response reply(Actions.Reply reply) {
        return reply.json().map(json -> Response.json(reply.status(), json)).orElse(Response.text(reply.status(), reply.text()));
    }

    /** Patroni's answers: 200 "Accepted", 500 with the reason (a primary here), 502 without failsafe_mode. */
    private Actions.Reply failsafe(ObjectNode body) {
        String leader = body.path("name").asText("");
        if (leader.isEmpty()) {
            return Actions.Reply.text(400, "the failsafe call names no leader: {\"name\": ...} expected");
        }
        return switch (control.acceptFailsafe(leader)) {
            case ACCEPTED -> Actions.Reply.text(200, "Accepted");
            case NOT_ENABLED -> Actions.Reply.text(502, "failsafe_mode is not enabled");
            case RUNNING_AS_LEADER -> Actions.Reply.text(500, "Running as a leader");
            case STARTING -> Actions.Reply.text(503, "starting");
        };
    }

    /** The request body as a JSON object; empty means {}. At most 64 KiB. */
    private static ObjectNode readBody(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readNBytes(64 * 1024 + 1);
        if (bytes.length > 64 * 1024) {
            throw new Actions.BadRequest("request body larger than 64 KiB");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return JSON.createObjectNode();
        }
        com.fasterxml.jackson.databind.JsonNode parsed;
        try {
            parsed = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Actions.BadRequest("Invalid JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw new Actions.BadRequest("Invalid JSON: the body must be an object");
        }
        return object;
    }

    private Response get(String path, Map<String, String> query, NodeStatus current) {
        long now = nanoClock.getAsLong();
        ObjectNode memberBody = StatusJson.memberStatus(current, now);
        BackupEndpoints.addArchiving(backups, memberBody);
        return switch (path) {
            case "/", "/primary", "/master", "/leader", "/read-write" ->
                    Response.json(current.isConfirmedPrimary(now) ? 200 : 503, memberBody);
            case "/replica" -> Response.json(isHealthyReplica(current, query) ? 200 : 503, memberBody);
            case "/read-only" -> Response.json(current.isConfirmedPrimary(now)
                    || isHealthyReplica(current, query) ? 200 : 503, memberBody);
            case "/health" -> Response.json(current.postgres().running() ? 200 : 503, memberBody);
            case "/sync", "/synchronous" -> Response.json(isSynchronousStandby(current) && isHealthyReplica(current, query)
                    ? 200 : 503, memberBody);
            case "/async", "/asynchronous" -> Response.json(!isSynchronousStandby(current) && isHealthyReplica(current, query)
                    ? 200 : 503, memberBody);
            case "/metrics" -> {
                StringBuilder text = new StringBuilder(Metrics.render(current, now));
                BackupEndpoints.metrics(backups, Metrics.labels(current), text, java.time.Instant.now().getEpochSecond());
                yield Response.prometheus(text.toString());
            }
            case "/ui" -> Response.html(StatusPage.html());
            case "/ui/state" -> Response.json(200, StatusPage.state(current, events.get(), System.currentTimeMillis()));
            case "/events" -> Response.json(200, StatusPage.eventsBody(current, events.get()));
            case "/backup" -> reply(BackupEndpoints.lastRun(backups));
            case "/backups" -> reply(BackupEndpoints.catalog(backups));
            case "/liveness" -> Response.empty(current.isLoopAlive(now) ? 200 : 503);
            case "/readiness" -> Response.empty(current.isConfirmedPrimary(now)
                    || (current.isReplica() && current.postgres().streaming()) ? 200 : 503);
            case "/patroni" -> Response.json(200, memberBody);
            case "/cluster" -> Response.json(200, StatusJson.cluster(current));
            case "/history" -> Response.json(200, StatusJson.history(current));
            case "/config" -> current.cluster().filter(view -> view.configPresent())
                    .map(view -> Response.json(200, view.config().json()))
                    .orElse(Response.json(503, message("the cluster configuration is not known yet")));
            default -> Response.json(404, message("no such endpoint: " + path));
        };
    }

    private static boolean isSynchronousStandby(NodeStatus current) {
        return current.cluster().flatMap(view -> view.sync())
                .map(sync -> sync.isSynchronousStandby(current.memberName())).orElse(false);
    }

    /**
     * A running replica that may take read traffic: not tagged noloadbalance, and, with
     * {@code ?lag=}, no further behind the leader's last published position than that.
     */
    static boolean isHealthyReplica(NodeStatus current, Map<String, String> query) {
        if (!current.isReplica() || current.tags().getOrDefault("noloadbalance", Boolean.FALSE).equals(Boolean.TRUE)) {
            return false;
        }
        String lag = query.get("lag");
        if (lag == null) {
            return true;
        }
        Optional<Long> maximum = ByteSize.parse(lag);
        if (maximum.isEmpty()) {
            return false;
        }
        long optime = current.cluster().map(view -> view.optime()).orElse(0L);
        return optime == 0 || optime - current.postgres().walPosition() <= maximum.get();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }

    private static ObjectNode message(String text) {
        return JSON.createObjectNode().put("error", text);
    }

    private static void send(HttpExchange exchange, Response response, boolean statusOnly) throws IOException {
        byte[] body = response.text().or(() -> response.body().map(Object::toString)).orElse("").getBytes(StandardCharsets.UTF_8);
        if (response.text().isPresent()) {
            exchange.getResponseHeaders().set("Content-Type", response.textType());
        } else if (response.body().isPresent()) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        if (statusOnly || body.length == 0) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(body);
        }
    }

    private record Response(int status, Optional<com.fasterxml.jackson.databind.JsonNode> body, Optional<String> text,
            String textType) {
        static Response json(int status, com.fasterxml.jackson.databind.JsonNode body) {
            return new Response(status, Optional.of(body), Optional.empty(), "");
        }

        /** Plain text, as Patroni answers actions. */
        static Response text(int status, String text) {
            return new Response(status, Optional.empty(), Optional.of(text), "text/plain; charset=utf-8");
        }

        static Response html(String text) {
            return new Response(200, Optional.empty(), Optional.of(text), "text/html; charset=utf-8");
        }

        static Response prometheus(String text) {
            return new Response(200, Optional.empty(), Optional.of(text), "text/plain; version=0.0.4; charset=utf-8");
        }

        static Response empty(int status) {
            return new Response(status, Optional.empty(), Optional.empty(), "");
        }
    }
}
