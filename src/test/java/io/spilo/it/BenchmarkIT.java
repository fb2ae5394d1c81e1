package io.spilo.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spilo.config.TimingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Spilo's headline figures, side by side with Patroni (bin/bench): not a pass/fail test. Each run
 * builds a fresh cluster in network namespaces with HAProxy and writing clients and measures what a
 * client and an operator see ({@link BenchmarkRun}). Where Patroni runs too, the two alternate run
 * by run on the same machine with the same etcd, PostgreSQL, HAProxy and timing. Prints tables with
 * the ratio Spilo/Patroni, writes target/benchmark.json and a chart of the failover timelines
 * (target/benchmark-failover.svg); never fails because the machine is slow.
 */
@Isolated("timings and resource use are measured: nothing else may run beside it")
class BenchmarkIT {
    private static final int RUNS = Integer.getInteger("spilo.benchmark.runs", 3);
    private static final long REST_SECONDS = Long.getLong("spilo.benchmark.restSeconds", 60);
    /** Only the profiles whose name contains one of these, comma-separated (bin/bench -Dspilo.benchmark.profile=30/10/10,10/2/4). */
    private static final List<String> PROFILE_FILTER = List.of(System.getProperty("spilo.benchmark.profile", "").split(","));

    /** A timing profile, and whether Patroni runs it too. */
    record Profile(String name, TimingSettings timing, boolean withPatroni) {
    }

    static final List<Profile> PROFILES = List.of(
            new Profile("Patroni's defaults 30/10/10", TimingSettings.PATRONI_DEFAULTS, true),
            new Profile("ttl 10, loop_wait 2, retry_timeout 4 (10/2/4)", new TimingSettings(10, 2, 4), true),
            new Profile("Spilo's defaults 8/2/3", TimingSettings.SPILO_DEFAULTS, false),
            new Profile("fast 5/1/2", new TimingSettings(5, 1, 2), false));

    @Test
    void benchmark() throws Exception {
        assumeTrue(Boolean.getBoolean("spilo.benchmark"), "benchmark runs only with -Dspilo.benchmark=true (bin/bench)");
        String reason = NetworkLab.unavailableReason();
        assumeTrue(reason.isEmpty(), "benchmark skipped: " + reason);
        boolean patroniInstalled = Files.isExecutable(Path.of(Governor.PATRONI_PROGRAM));
        if (!patroniInstalled) {
            System.out.println("BENCHMARK: " + Governor.PATRONI_PROGRAM + " not found (bin/setup runtime installs Debian's"
                    + " patroni): Spilo only");
        }
        BenchmarkReport report = new BenchmarkReport(RUNS, REST_SECONDS);
        List<Profile> chosen = PROFILES.stream()
                .filter(profile -> PROFILE_FILTER.stream().anyMatch(part -> profile.name().contains(part.trim()))).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("spilo.benchmark.profile=" + PROFILE_FILTER + " names no profile; the profiles: "
                    + PROFILES.stream().map(Profile::name).toList());
        }
        for (Profile profile : chosen) {
            for (int run = 0; run < RUNS; run++) {
                // Alternating A/B: a drift of the machine during the profile hits both systems alike.
                report.add(profile.name(), Governor.SPILO, new BenchmarkRun(profile.timing(), Governor.SPILO, REST_SECONDS).measure());
                if (profile.withPatroni() && patroniInstalled) {
                    report.add(profile.name(), Governor.PATRONI,
                            new BenchmarkRun(profile.timing(), Governor.PATRONI, REST_SECONDS).measure());
                }
                System.out.println("BENCHMARK: " + profile.name() + " run " + (run + 1) + " of " + RUNS + " done");
            }
        }
        report.write(Path.of("target"));
    }
}
