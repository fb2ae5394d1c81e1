package io.spilo.postgres;

/** The PostgreSQL a replica streams from (or clones from): host, port, and its slot on that server. */
public record Upstream(String host, int port, String slotName) {
}
