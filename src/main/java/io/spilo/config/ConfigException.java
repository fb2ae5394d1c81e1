package io.spilo.config;

/** A configuration that cannot be used. The message names the key path and the reason. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
