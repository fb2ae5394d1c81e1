package io.spilo.backup;

import java.util.Optional;

/**
 * How WAL archiving goes on the primary (PostgreSQL's {@code pg_stat_archiver}, and the segments
 * still waiting in {@code pg_wal/archive_status}).
 *
 * @param lagBytes WAL written since the end of the last archived segment
 * @param lagSeconds how long the oldest segment waiting to be archived has waited (0 when none waits)
 * @param waitingSegments segments PostgreSQL has finished that are not archived yet
 */
public record ArchiverStatus(long archivedCount, long failedCount, Optional<String> lastArchivedWal,
        Optional<Double> lastArchivedEpochSeconds, Optional<String> lastFailedWal, Optional<Double> lastFailedEpochSeconds,
        long lagBytes, double lagSeconds, long waitingSegments) {

    /** The last attempt failed: a failure newer than the last success. */
    public boolean failing() {
        return lastFailedEpochSeconds.isPresent()
                && lastFailedEpochSeconds.get() >= lastArchivedEpochSeconds.orElse(0.0);
    }

    /**
     * The byte position right after WAL segment {@code walName} (24 hex digits: timeline, log,
     * segment) for segments of {@code segmentSize} bytes.
     */
    static long segmentEnd(String walName, long segmentSize) {
        long log = Long.parseLong(walName.substring(8, 16), 16);
        long segment = Long.parseLong(walName.substring(16, 24), 16);
        return log * 0x1_0000_0000L + (segment + 1) * segmentSize;
    }
}
