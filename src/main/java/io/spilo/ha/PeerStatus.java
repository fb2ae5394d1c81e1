package io.spilo.ha;

/**
 * What another member's REST API ({@code GET /patroni}) said just before a leader race.
 *
 * @param reachable false when the member did not answer in time: it is then not compared
 * @param runningPrimary its PostgreSQL is a running primary: nobody may take over
 * @param walPosition received (replica) or current (primary) WAL position
 * @param promoting it is promoting its PostgreSQL right now: nobody may take over
 */
public record PeerStatus(String name, boolean reachable, boolean runningPrimary, long walPosition,
        int failoverPriority, boolean noFailover, boolean promoting) {
    public PeerStatus(String name, boolean reachable, boolean runningPrimary, long walPosition, int failoverPriority,
            boolean noFailover) {
        this(name, reachable, runningPrimary, walPosition, failoverPriority, noFailover, false);
    }

    public static PeerStatus unreachable(String name) {
        return new PeerStatus(name, false, false, 0, 0, true, false);
    }
}
