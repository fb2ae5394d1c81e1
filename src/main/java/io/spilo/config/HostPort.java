package io.spilo.config;

/** A {@code host:port} pair as written in Patroni's configuration ({@code listen}, {@code connect_address}). */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /** Parses {@code host:port}; the host may be a bracketed IPv6 address or a comma list (first wins). */
    public static HostPort parse(String text, String path) {
        String value = text.strip();
        int comma = value.indexOf(',');
        if (comma >= 0) {
            value = value.substring(0, comma).strip();
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException(path + ": '" + text + "' is not host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port == 0) {
                throw new ConfigException(path + ": '" + text + "': port 0 is outside 1..65535");
            }
            return new HostPort(host, port);
        } catch (NumberFormatException e) {
            throw new ConfigException(path + ": '" + text + "' has no numeric port");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path + ": '" + text + "': " + e.getMessage());
        }
    }

    /** The address to connect to when this is a listen address: wildcard hosts become loopback. */
    public HostPort connectable() {
        return switch (host) {
            case "0.0.0.0", "*", "" -> new HostPort("127.0.0.1", port);
            case "::" -> new HostPort("::1", port);
            default -> this;
        };
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
