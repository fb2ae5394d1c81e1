package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.util.List;
import java.util.Optional;

/**
 * The pure rules around a leader race and a hand-over: whom to ask before racing, when to step
 * back, and whether a switchover candidate is fit to take over.
 */
public final class RaceRules {
    private RaceRules() {
    }

    /**
     * The members whose WAL positions are compared before racing: everyone else, except, in
     * synchronous mode, members outside the sync key (they cannot be promoted, whatever WAL they have).
     */
    public static List<Member> peersToCompare(ClusterView view, HaSettings settings) {
        return view.members().stream()
                .filter(member -> !member.name().equals(settings.memberName()))
                .filter(member -> !settings.synchronous().enabled()
                        || view.sync().map(sync -> sync.mayBePromoted(member.name())).orElse(true))
                .toList();
    }

    /**
     * The last check before racing for the leader key: step back if any other member that answered
     * is promoting, still a running primary, or (for a replica) has received more WAL, or has as much
     * WAL and a higher failover_priority. Members that may not be promoted, or did not answer, are not compared.
     * Ties are left to the create-if-absent transaction.
     *
     * @param iAmRunningPrimary this member runs a primary without the key (after an etcd outage, say):
     *     another keyless primary is then no reason to step back, or two of them would wait for each
     *     other forever; the transaction picks one and the other demotes when it sees the key taken.
     *     Nor is a replica's position: it comes from this primary, and while clients write it
     *     runs ahead of the reading this member took at the start of its cycle
     */
    public static Optional<String> reasonToStepBack(long myWalPosition, boolean iAmRunningPrimary, HaSettings settings,
            List<PeerStatus> peers) {
        for (PeerStatus peer : peers) {
            if (!peer.reachable()) {
                continue;
            }
            if (peer.promoting()) {
                return Optional.of(peer.name() + " is promoting");
            }
            if (peer.runningPrimary()) {
                if (iAmRunningPrimary) {
                    continue;
                }
                return Optional.of(peer.name() + " is still running as a primary");
            }
            if (iAmRunningPrimary) {
                // Its replicas stream from it: a position one reports past this primary's own reading
                // of a moment ago is WAL written since, not a better candidate (Patroni: the
                // primary is always the healthiest).
                continue;
            }
            if (peer.noFailover() || peer.failoverPriority() <= 0) {
                continue;
            }
            if (peer.walPosition() > myWalPosition) {
                return Optional.of(peer.name() + " has received more WAL (" + peer.walPosition() + " > " + myWalPosition + ")");
            }
            if (peer.walPosition() == myWalPosition && peer.failoverPriority() > settings.failoverPriority()) {
                return Optional.of(peer.name() + " has as much WAL and a higher failover_priority");
            }
        }
        return Optional.empty();
    }

    /**
     * Why the candidate named in the {@code failover} key cannot be waited for: it is not a member,
     * not running, not promotable in synchronous mode, or has not taken over within one ttl. Then
     * the others hold a normal election instead of waiting for it for as long as it exists.
     */
    public static Optional<String> requestedCandidateProblem(ClusterView view, String candidate, HaSettings settings,
            AgentMemory memory, long nowNanos) {
        Optional<Member> member = view.member(candidate);
        if (member.isEmpty()) {
            return Optional.of(candidate + " is not a member of the cluster");
        }
        String state = member.get().state();
        if (!state.equals(MemberState.RUNNING.text()) && !state.equals(MemberState.PROMOTING.text())) {
            return Optional.of(candidate + " is " + state + ", not running");
        }
        if (settings.synchronous().enabled() && !view.sync().map(sync -> sync.mayBePromoted(candidate)).orElse(true)) {
            return Optional.of(candidate + " is not a synchronous standby");
        }
        if (memory.waitingForCandidateSince().isPresent()
                && nowNanos - memory.waitingForCandidateSince().getAsLong() >= settings.ttlNanos()) {
            return Optional.of(candidate + " did not take over within ttl (" + settings.timing().ttlSeconds() + " s)");
        }
        return Optional.empty();
    }

    /**
     * Why a switchover candidate may not take over now (DESIGN §4 invariant 7), from its own
     * answer just before the hand-over: it must answer, run as a replica, and be within
     * maximum_lag_on_failover of this leader.
     */
    public static Optional<String> switchoverCandidateProblem(String candidate, Optional<PeerStatus> answer,
            long leaderWalPosition, HaSettings settings) {
        if (answer.isEmpty() || !answer.get().reachable()) {
            return Optional.of(candidate + " did not answer");
        }
        PeerStatus status = answer.get();
        if (status.runningPrimary() || status.promoting()) {
            return Optional.of(candidate + " is not a replica");
        }
        long lag = leaderWalPosition - status.walPosition();
        if (lag > settings.maximumLagOnFailover()) {
            return Optional.of(candidate + " lags " + lag + " bytes, more than maximum_lag_on_failover "
                    + settings.maximumLagOnFailover());
        }
        return Optional.empty();
    }
}
