package io.spilo.ha;

/** Waiting between polls inside a long action; tests substitute one that advances a fake clock. */
@FunctionalInterface
interface Sleeper {
    Sleeper REAL = Thread::sleep;

    void sleep(long millis) throws InterruptedException;
}
