package io.spilo.ha;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/** The long-action executor of the unit harness: work runs only when the test runs it, on the test's thread. */
public final class ManualExecutor implements Executor {
    private final Deque<Runnable> queue = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        queue.add(task);
    }

    public synchronized int pending() {
        return queue.size();
    }

    /** Runs every queued task (and any they queue), in order. */
    public void runAll() {
        for (int bound = 0; bound < 100; bound++) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
            }
            if (next == null) {
                return;
            }
            next.run();
        }
        throw new IllegalStateException("more than 100 long actions queued one after another");
    }
}
