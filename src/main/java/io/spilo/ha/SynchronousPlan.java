package io.spilo.ha;

import io.spilo.dcs.Member;
import io.spilo.dcs.SyncState;
import io.spilo.postgres.ReplicationConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The leader's next step in synchronous mode (DESIGN §4 invariant 2), as a pure function.
 * The {@code sync} key may only name standbys that already acknowledge every commit:
 * a standby is enabled in synchronous_standby_names and seen synchronous in pg_stat_replication
 * before the key names it, and leaves the key before it leaves the setting.
 *
 * @param keyStandbys the standbys to write to the sync key (compare-and-set), when it must change
 * @param standbyNames the synchronous_standby_names to run PostgreSQL with, as member names;
 *     {@code ["*"]} in strict mode with no candidate (commits wait for any standby)
 */
public record SynchronousPlan(Optional<List<String>> keyStandbys, List<String> standbyNames) {
    public SynchronousPlan {
        keyStandbys = keyStandbys.map(List::copyOf);
        standbyNames = List.copyOf(standbyNames);
    }

    /**
     * @param enabledAtPosition the leader's WAL position when synchronous_standby_names last changed:
     *     commits below it may have been acknowledged without the standbys enabled since, so a standby
     *     joins the key only once it has flushed that far (Patroni's rule), not as soon as it is "sync"
     */
    public static SynchronousPlan plan(String leader, Optional<SyncState> key, List<ReplicationConnection> replication,
            List<Member> members, long leaderPosition, long enabledAtPosition, HaSettings.Synchronous settings) {
        List<String> strictFallback = settings.strict() ? List.of("*") : List.of();
        if (key.isEmpty() || !key.get().leader().map(leader::equals).orElse(false)) {
            // Take the key over naming no standby: nobody else is promotable until standbys are confirmed.
            return new SynchronousPlan(Optional.of(List.of()), strictFallback);
        }
        List<String> keySet = key.get().synchronousStandbys();
        Map<String, ReplicationConnection> streaming = replication.stream()
                .filter(connection -> "streaming".equals(connection.state()))
                .collect(Collectors.toMap(ReplicationConnection::applicationName, Function.identity(), (first, second) -> first));
        List<Member> candidates = members.stream()
                .filter(member -> !member.name().equals(leader))
                .filter(member -> streaming.containsKey(member.name()))
                .filter(member -> !isTrue(member.tags().get("nosync")))
                .filter(member -> settings.maximumLagOnSyncnode() < 0 || leaderPosition <= 0
                        || leaderPosition - member.walPosition() <= settings.maximumLagOnSyncnode())
                .sorted(Comparator.comparing((Member member) -> !keySet.contains(member.name()))
                        .thenComparing(member -> !isSynchronous(streaming.get(member.name())))
                        .thenComparing(Member::walPosition, Comparator.reverseOrder())
                        .thenComparing(Member::name))
                .toList();
        List<String> desired = candidates.stream().limit(settings.nodeCount()).map(Member::name).toList();
        List<String> newKey = new ArrayList<>(keySet.stream().filter(desired::contains).toList());
        for (String name : desired) {
            ReplicationConnection connection = streaming.get(name);
            if (!newKey.contains(name) && isSynchronous(connection) && connection.flushPosition() >= enabledAtPosition) {
                newKey.add(name);
            }
        }
        Optional<List<String>> keyWrite = newKey.equals(keySet) ? Optional.empty() : Optional.of(newKey);
        return new SynchronousPlan(keyWrite, desired.isEmpty() ? strictFallback : desired);
    }

    /**
     * The synchronous_standby_names this member runs PostgreSQL with: a replica none; the leader
     * what it last enabled, or, before it knows, what the sync key names for it ({@code *} in strict
     * mode while the key names nobody), so a restart never widens what may be promoted.
     */
    public static List<String> standbyNamesFor(String me, boolean leading, Optional<List<String>> enabled,
            Optional<SyncState> key, boolean strict) {
        if (!leading) {
            return List.of();
        }
        List<String> strictFallback = strict ? List.of("*") : List.of();
        return enabled.orElseGet(() -> key.filter(sync -> sync.leader().map(me::equals).orElse(false))
                .map(sync -> sync.synchronousStandbys().isEmpty() ? strictFallback : sync.synchronousStandbys())
                .orElse(strictFallback));
    }

    /** The setting as PostgreSQL reads it: all listed standbys must acknowledge. */
    public static String render(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        if (names.equals(List.of("*"))) {
            return "*";
        }
        return "FIRST " + names.size() + " (" + names.stream().map(name -> "\"" + name.replace("\"", "\"\"") + "\"")
                .collect(Collectors.joining(",")) + ")";
    }

    private static boolean isSynchronous(ReplicationConnection connection) {
        return connection != null && ("sync".equals(connection.syncState()) || "quorum".equals(connection.syncState()));
    }

    private static boolean isTrue(Object value) {
        return Boolean.TRUE.equals(value) || "true".equalsIgnoreCase(String.valueOf(value));
    }
}
