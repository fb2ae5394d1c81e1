package io.spilo.ha;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import io.spilo.dcs.ClusterView;

/**
 * The last cluster events this agent saw, newest last, at most {@link #CAPACITY}: fed by the HA
 * loop with each view it reads, read by the REST API ({@code GET /events}) and the status page.
 */
public final class EventLog {
    public static final int CAPACITY = 200;

    // Guarded by this.
    private final Deque<ClusterEvent> events = new ArrayDeque<>();
    // Guarded by this.
    private Optional<ClusterView> last = Optional.empty();

    /** Records what changed since the previous view. */
    public synchronized void observe(ClusterView view, long epochMillis) {
        for (ClusterEvent event : ClusterEvents.between(last, view, epochMillis)) {
            events.addLast(event);
            if (events.size() > CAPACITY) {
                events.removeFirst();
            }
        }
        last = Optional.of(view);
    }

    public synchronized List<ClusterEvent> recent() {
        return List.copyOf(events);
    }
}
