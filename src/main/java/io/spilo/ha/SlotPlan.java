package io.spilo.ha;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which physical replication slots the primary creates and drops this cycle. A slot whose member
 * is gone is kept for {@code graceNanos} after it was first seen unwanted, so that a member that
 * restarts or loses its lease briefly finds its WAL still there.
 *
 * @param unwantedSince for each existing slot without a member, when it was first seen so
 */
public record SlotPlan(List<String> create, List<String> drop, Map<String, Long> unwantedSince) {
    public SlotPlan {
        create = List.copyOf(create);
        drop = List.copyOf(drop);
        unwantedSince = Map.copyOf(unwantedSince);
    }

    public static SlotPlan plan(
            Set<String> existing, Set<String> wanted, Map<String, Long> unwantedSince, long nowNanos, long graceNanos) {
        TreeSet<String> create = new TreeSet<>(wanted);
        create.removeAll(existing);
        TreeSet<String> drop = new TreeSet<>();
        Map<String, Long> stillUnwanted = new HashMap<>();
        for (String slot : existing) {
            if (wanted.contains(slot)) {
                continue;
            }
            long since = unwantedSince.getOrDefault(slot, nowNanos);
            if (nowNanos - since >= graceNanos) {
                drop.add(slot);
            } else {
                stillUnwanted.put(slot, since);
            }
        }
        return new SlotPlan(List.copyOf(create), List.copyOf(drop), stillUnwanted);
    }
}
