package io.spilo.api;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The REST API's request threads: a few at rest, more only while requests wait. A plain
 * {@link ThreadPoolExecutor} either starts its whole core size (every request lands on a new thread
 * until all exist, and health checks every second keep them all alive) or never grows past it;
 * here the queue refuses a task while no thread waits for one, which makes the pool start another one,
 * up to the maximum, and threads above the few at rest end after an idle spell.
 */
final class RequestThreads {
    /** Threads kept at rest: health checks arrive one or two at a time. */
    static final int AT_REST = 2;
    private static final long IDLE_SECONDS = 30;

    private RequestThreads() {
    }

    static ExecutorService start(String name, int maximum) {
        GrowFirstQueue queue = new GrowFirstQueue();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(AT_REST, maximum, IDLE_SECONDS, TimeUnit.SECONDS, queue,
                runnable -> {
                    Thread thread = new Thread(runnable, name);
                    thread.setDaemon(true);
                    return thread;
                },
                // The pool reached its maximum between the queue's refusal and the new thread: wait in line.
                (task, executor) -> {
                    if (!executor.isShutdown()) {
                        queue.enqueue(task);
                    }
                });
        queue.pool = pool;
        return pool;
    }

    /** Threads waiting for a request now. */
    static int idleThreads(ExecutorService pool) {
        return ((GrowFirstQueue) ((ThreadPoolExecutor) pool).getQueue()).idle.get();
    }

    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private transient volatile ThreadPoolExecutor pool;
        /** Threads waiting in {@link #take} or {@link #poll}: a new request goes to one of them. */
        private final java.util.concurrent.atomic.AtomicInteger idle = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public boolean offer(Runnable task) {
            ThreadPoolExecutor executor = pool;
            if (idle.get() == 0 && executor.getPoolSize() < executor.getMaximumPoolSize()) {
                return false;
            }
            return super.offer(task);
        }

        @Override
        public Runnable take() throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.take();
            } finally {
                idle.decrementAndGet();
            }
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.poll(timeout, unit);
            } finally {
                idle.decrementAndGet();
            }
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
