package io.spilo.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.concurrent.Executors;
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

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<NodeStatus> status;
    private final LongSupplier nanoClock;

    private RestApi(HttpServer server, Supplier<NodeStatus> status, LongSupplier nanoClock) {
        this.server = server;
        this.status = status;
        this.nanoClock = nanoClock;
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "rest-api");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Binds the listen address now, so that a port already in use is reported before anything else starts. */
    public static RestApi bind(HostPort listen, Supplier<NodeStatus> status, LongSupplier nanoClock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 64);
            return new RestApi(server, status, nanoClock);
        } catch (BindException e) {
            throw new ApiException("restapi.listen " + listen + ": " + e.getMessage()
                    + "; another process uses this port: stop it or choose another restapi.listen port");
        } catch (IOException e) {
            throw new ApiException("restapi.listen " + listen + ": cannot listen: " + e.getMessage());
        }
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
                case "POST", "PUT", "PATCH", "DELETE" -> Response.json(501, message(
                        method + " " + path + " is not available in this version of Spilo"));
                default -> Response.json(405, message("method " + method + " is not supported"));
            };
            boolean statusOnly = !method.equals("GET");
            send(exchange, response, statusOnly);
        } catch (RuntimeException e) {
            LOG.warn("REST request {} failed: {}", exchange.getRequestURI(), e.toString());
            send(exchange, Response.json(500, message("internal error: " + e.getMessage())), false);
        }
    }

    private Response get(String path, Map<String, String> query, NodeStatus current) {
        long now = nanoClock.getAsLong();
        ObjectNode memberBody = StatusJson.memberStatus(current, now);
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
            case "/metrics" -> Response.text(200, Metrics.render(current, now));
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
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
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

    private record Response(int status, Optional<com.fasterxml.jackson.databind.JsonNode> body, Optional<String> text) {
        static Response json(int status, com.fasterxml.jackson.databind.JsonNode body) {
            return new Response(status, Optional.of(body), Optional.empty());
        }

        static Response text(int status, String text) {
            return new Response(status, Optional.empty(), Optional.of(text));
        }

        static Response empty(int status) {
            return new Response(status, Optional.empty(), Optional.empty());
        }
    }
}
