package io.spilo.proxy;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** HAProxy's runtime API over its stats socket: one command per connection, bounded by a timeout. */
public final class HaproxyRuntime {
    private final Path socket;
    private final Duration timeout;

    public HaproxyRuntime(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** Sends one command (several separated by ';') and returns HAProxy's answer. */
    public String execute(String command) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                Selector selector = Selector.open()) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            StringBuilder answer = new StringBuilder();
            while (true) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    throw new IOException("HAProxy did not answer '" + command + "' within " + timeout.toMillis() + " ms");
                }
                selector.select(remaining);
                selector.selectedKeys().clear();
                int read = channel.read(buffer);
                if (read < 0) {
                    return answer.toString();
                }
                buffer.flip();
                answer.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
            }
        }
    }
}
