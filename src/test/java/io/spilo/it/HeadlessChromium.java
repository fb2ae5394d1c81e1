package io.spilo.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.process.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket, JSON commands):
 * one page that stays open, so a test sees what a user watching it sees, without reloads.
 * Closing it stops the browser by pid and removes its profile.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path PROGRAM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final ChildProcess browser;
    private final TestDirectory profile;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    HeadlessChromium(Path logDirectory) throws Exception {
        profile = new TestDirectory("spilo-it-chromium-");
        Path log = logDirectory.resolve("chromium.log");
        browser = ChildProcess.start("chromium", List.of(PROGRAM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile.path(), "--window-size=1280,900", "about:blank"), log, false);
        Pattern listening = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
        int[] port = new int[1];
        Awaitility.await("Chromium's DevTools endpoint").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Matcher matcher = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
                    if (matcher.find()) {
                        port[0] = Integer.parseInt(matcher.group(1));
                        return true;
                    }
                    return false;
                });
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String pageSocket = null;
        for (JsonNode target : JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port[0] + "/json/list"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body())) {
            if (target.path("type").asText().equals("page")) {
                pageSocket = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (pageSocket == null) {
            throw new IllegalStateException("Chromium opened no page; see " + log);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Replies to commands, matched by id; events are ignored. Messages may arrive in parts. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    JsonNode reply = JSON.readTree(message.toString());
                    CompletableFuture<JsonNode> waiting = reply.has("id") ? pending.remove(reply.get("id").asLong()) : null;
                    if (waiting != null) {
                        waiting.complete(reply);
                    }
                } catch (IOException e) {
                    // not JSON: not a reply to anything this class sent
                }
                message.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    private JsonNode command(String method, ObjectNode parameters) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
        request.set("params", parameters);
        socket.sendText(request.toString(), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode answer = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    void open(String url) throws Exception {
        command("Page.enable", JSON.createObjectNode());
        command("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** The value of a JavaScript expression in the open page (JSON-serialisable values only). */
    JsonNode evaluate(String expression) throws Exception {
        return command("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true))
                .path("result").path("value");
    }

    void screenshot(Path file) throws Exception {
        String data = command("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")).path("data").asText();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() {
        try {
            socket.abort();
        } catch (RuntimeException e) {
            // the browser is stopped next anyway
        }
        // Its renderers and helpers end with it; any that would not are stopped by pid too.
        List<ProcessHandle> helpers = ProcessHandle.of(browser.pid()).map(handle -> handle.descendants().toList()).orElse(List.of());
        browser.close();
        helpers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        profile.close();
    }
}
