package io.spilo.ha;

import io.spilo.dcs.Leader;
import io.spilo.postgres.Upstream;
import java.util.Optional;

/** What one HA cycle decided to do. Every branch of {@link HaRules#decide} ends in exactly one of these. */
public sealed interface Decision {
    /** A sentence for logs and {@code /patroni}: what the agent is doing and why. */
    String description();

    /** The cluster is new and this member's data directory is empty: race for {@code initialize}, then initdb. */
    record Bootstrap() implements Decision {
        public String description() {
            return "bootstrapping a new cluster";
        }
    }

    /** The cluster has no {@code initialize} key, but this member has data: claim the cluster with it. */
    record ClaimCluster(String systemIdentifier) implements Decision {
        public String description() {
            return "claiming the uninitialized cluster with existing data (system identifier " + systemIdentifier + ")";
        }
    }

    /** Copy the data directory from the leader with pg_basebackup. */
    record CloneFromLeader(String leaderName, Upstream upstream) implements Decision {
        public String description() {
            return "creating a replica from " + leaderName;
        }
    }

    /** PostgreSQL is stopped; start it as a standby of {@code upstream} (or of nobody while there is no leader). */
    record StartAsReplica(Optional<Upstream> upstream) implements Decision {
        public String description() {
            return upstream.map(source -> "starting as a replica of " + source.host() + ":" + source.port())
                    .orElse("starting as a replica with no leader to follow yet");
        }
    }

    /** A running replica points at the wrong upstream: rewrite primary_conninfo and reload. */
    record FollowLeader(String leaderName, Upstream upstream) implements Decision {
        public String description() {
            return "following the new leader " + leaderName;
        }
    }

    /** This member holds the leader key and runs a primary: renew the lease, publish the WAL position. */
    record HoldLeadership(Leader leader) implements Decision {
        public String description() {
            return "no action: I am the leader with the lock";
        }
    }

    /** This member holds the leader key, but PostgreSQL is a standby: promote it. */
    record PromoteHeldLeadership(Leader leader) implements Decision {
        public String description() {
            return "promoting: I hold the leader key";
        }
    }

    /** This member holds the leader key, but PostgreSQL is stopped: start it as the primary. */
    record StartAsLeader(Leader leader) implements Decision {
        public String description() {
            return "starting PostgreSQL as the primary: I hold the leader key";
        }
    }

    /**
     * No leader and this member is eligible: race for the leader key, then promote.
     * @param designated this member is the candidate of a requested switchover or failover: it
     *     does not ask its peers first
     */
    record AcquireLeadership(boolean designated) implements Decision {
        public String description() {
            return designated ? "no leader: acquiring the leader key as the requested candidate"
                    : "no leader: trying to acquire the leader key";
        }
    }

    /** A requested switchover is due: hand leadership to {@code candidate} gracefully. */
    record Switchover(String candidate) implements Decision {
        public String description() {
            return "switching over to " + candidate;
        }
    }

    /** The {@code failover} key holds a request that cannot or must no longer be carried out: clear it. */
    record ClearSwitchover(String reason) implements Decision {
        public String description() {
            return "clearing the switchover request: " + reason;
        }
    }

    /**
     * This PostgreSQL is a primary but somebody else leads, or leadership cannot be confirmed: stop it
     * now. The next cycle rewinds and restarts it as a replica when there is a leader to follow.
     */
    record Demote(String reason) implements Decision {
        public String description() {
            return "demoting: " + reason;
        }
    }

    /**
     * Commits on this leader do not reach its disk (frozen, failing): kill PostgreSQL at once (no
     * stop can finish on a frozen disk, and a stalled commit must never be acknowledged later) and
     * give the leader key up so a replica takes over.
     */
    record AbandonStalledPrimary(String reason) implements Decision {
        public String description() {
            return "giving up leadership: " + reason;
        }
    }

    /** The data directory may hold WAL the leader never had: pg_rewind it to the leader, then start as its replica. */
    record RewindFrom(String leaderName, Upstream upstream) implements Decision {
        public String description() {
            return "rewinding to leader " + leaderName + " before following it";
        }
    }

    /** pg_rewind failed and the configuration allows it: remove the data directory so it is cloned anew. */
    record RemoveDataDirectory(String reason) implements Decision {
        public String description() {
            return "removing the data directory to clone it again: " + reason;
        }
    }

    /** This member holds the leader key but its PostgreSQL will not run: give the key up so a replica takes over. */
    record ReleaseLeadership(String reason) implements Decision {
        public String description() {
            return "releasing the leader key: " + reason;
        }
    }

    /** Nothing to do this cycle; the reason is shown to people. */
    record Wait(String reason) implements Decision {
        public String description() {
            return reason;
        }
    }
}
