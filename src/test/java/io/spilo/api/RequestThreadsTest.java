package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestThreadsTest {

    @Test
    void requestsOneAtATimeNeedNoMoreThanTheThreadsAtRest() throws Exception {
        ExecutorService pool = RequestThreads.start("test-request", 32);
        try {
            for (int i = 0; i < 100; i++) {
                pool.submit(() -> { }).get(5, TimeUnit.SECONDS);
                // Like health checks a second apart: the thread is back waiting before the next one.
                int threads = ((ThreadPoolExecutor) pool).getPoolSize();
                await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> RequestThreads.idleThreads(pool) == threads);
            }
            assertThat(((ThreadPoolExecutor) pool).getLargestPoolSize()).isLessThanOrEqualTo(RequestThreads.AT_REST);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void busyThreadsMakeThePoolGrowToItsMaximumAndTheRestWaitInLine() throws Exception {
        int maximum = 6;
        ExecutorService pool = RequestThreads.start("test-request", maximum);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try {
            for (int i = 0; i < maximum + 4; i++) {
                pool.execute(() -> {
                    running.incrementAndGet();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.incrementAndGet();
                });
            }
            // Every thread the pool may have is busy at once, none more; the four others queue.
            await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == maximum);
            assertThat(((ThreadPoolExecutor) pool).getPoolSize()).isEqualTo(maximum);
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == maximum + 4);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
