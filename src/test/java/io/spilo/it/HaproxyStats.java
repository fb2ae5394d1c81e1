package io.spilo.it;

import io.spilo.proxy.HaproxyRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads HAProxy's stats socket ({@code show stat}, CSV) for the servers of one backend. */
final class HaproxyStats {
    private final HaproxyRuntime runtime;

    HaproxyStats(Path socket) {
        this.runtime = new HaproxyRuntime(socket, Duration.ofSeconds(2));
    }

    /** Server name and status (UP, DOWN, MAINT, ...) of every server in {@code backend}. */
    List<String[]> servers(String backend) throws IOException {
        List<String[]> servers = new ArrayList<>();
        for (String line : runtime.execute("show stat").split("\n")) {
            String[] fields = line.split(",", -1);
            if (fields.length > 17 && fields[0].equals(backend) && !fields[1].equals("FRONTEND") && !fields[1].equals("BACKEND")) {
                servers.add(new String[] {fields[1], fields[17]});
            }
        }
        return servers;
    }

    List<String> upServers(String backend) throws IOException {
        return servers(backend).stream().filter(server -> server[1].startsWith("UP")).map(server -> server[0]).toList();
    }
}
