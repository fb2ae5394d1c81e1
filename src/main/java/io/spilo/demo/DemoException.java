package io.spilo.demo;

/** The demo cannot start or stop; the message says what to do. */
public final class DemoException extends RuntimeException {
    public DemoException(String message) {
        super(message);
    }
}
