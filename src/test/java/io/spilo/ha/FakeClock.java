package io.spilo.ha;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Monotonic time that moves only when a test says so. */
public final class FakeClock implements LongSupplier {
    public static final long SECOND = 1_000_000_000L;
    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    public void advanceSeconds(double seconds) {
        nanos.addAndGet((long) (seconds * SECOND));
    }
}
