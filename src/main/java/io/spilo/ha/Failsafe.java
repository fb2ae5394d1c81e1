package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import io.spilo.postgres.LocalState;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patroni's failsafe mode. While etcd cannot be reached (refused, timed out, or answering without
 * a leader of its own), the leader keeps its primary running as long as every member of the last
 * membership it read answers its {@code POST /failsafe}: a member that answers runs no primary and
 * will not race for the key while it can see this one. A member that does not answer (partitioned,
 * down) means the leader cannot know nobody else took over, so it demotes as without failsafe mode.
 * Replicas never promote without etcd, failsafe or not.
 */
final class Failsafe {
    private static final Logger LOG = LoggerFactory.getLogger(Failsafe.class);

    /** A leader's failsafe call as a replica remembers it. */
    record Heartbeat(String leader, long receivedAtNanos) {
    }

    private final String me;
    private final FailsafeCaller caller;
    private final FailsafeCaller.FailsafeRequest request;
    private final LongSupplier nanoClock;
    // Written by REST threads, read by the loop.
    private final AtomicReference<Optional<Heartbeat>> lastHeartbeat = new AtomicReference<>(Optional.empty());
    // Owned by the loop thread.
    private boolean active;
    private Set<String> lastRefusers = Set.of();

    Failsafe(String me, FailsafeCaller caller, FailsafeCaller.FailsafeRequest request, LongSupplier nanoClock) {
        this.me = me;
        this.caller = caller;
        this.request = request;
        this.nanoClock = nanoClock;
    }

    /**
     * Leader side, on the loop thread, in a cycle where etcd did not answer: asks every other member
     * of {@code lastView}. Returns when the round started if all accepted (the new confirmation of
     * leadership), empty otherwise.
     */
    OptionalLong confirmWithoutStore(Optional<ClusterView> lastView, LocalState local, HaSettings settings) {
        boolean leading = lastView.map(view -> view.isLeader(me)).orElse(false);
        if (!settings.failsafeMode() || !leading || !local.isRunningPrimary() || settings.paused()) {
            end();
            return OptionalLong.empty();
        }
        long startedAt = nanoClock.getAsLong();
        List<Member> others = lastView.get().members().stream().filter(member -> !member.name().equals(me)).toList();
        Set<String> accepted = new HashSet<>(caller.call(others, request));
        Set<String> refusers = new HashSet<>();
        others.stream().map(Member::name).filter(name -> !accepted.contains(name)).forEach(refusers::add);
        if (!refusers.isEmpty()) {
            if (!refusers.equals(lastRefusers)) {
                LOG.warn("failsafe: {} did not accept this leader; leadership is not confirmed", refusers);
            }
            lastRefusers = refusers;
            end();
            return OptionalLong.empty();
        }
        if (!active) {
            LOG.warn("failsafe mode active: etcd is unreachable, every member ({}) accepts this leader", others.size());
        }
        active = true;
        lastRefusers = Set.of();
        return OptionalLong.of(startedAt);
    }

    /** etcd answers again (or this member no longer leads): failsafe ends. */
    void end() {
        if (active) {
            LOG.info("failsafe mode no longer active");
        }
        active = false;
    }

    boolean active() {
        return active;
    }

    /**
     * Replica side, on a REST thread: a leader's call. Refused by a member running a primary itself
     * (two primaries must not vouch for each other).
     */
    FailsafeReply accept(String leader, LocalState local, HaSettings settings) {
        if (!settings.failsafeMode()) {
            return FailsafeReply.NOT_ENABLED;
        }
        if (local.isRunningPrimary()) {
            return FailsafeReply.RUNNING_AS_LEADER;
        }
        lastHeartbeat.set(Optional.of(new Heartbeat(leader, nanoClock.getAsLong())));
        return FailsafeReply.ACCEPTED;
    }

    /**
     * Why this member must not race for the leader key: another member called it in failsafe mode
     * less than a ttl ago. That leader's lease may have run out while its etcd client reconnects
     * (gRPC backs off after a long outage), but it ran as the primary a moment ago with this
     * member's consent: it takes its key back, nobody races it.
     */
    Optional<String> reasonNotToRace(long nowNanos, HaSettings settings) {
        return lastHeartbeat.get().filter(beat -> nowNanos - beat.receivedAtNanos() < settings.ttlNanos())
                .map(Heartbeat::leader).filter(leader -> !leader.equals(me))
                .map(leader -> leader + " called in failsafe mode less than a ttl ago");
    }
}
