package io.spilo.ha;

import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.Member;
import io.spilo.dcs.SyncState;
import io.spilo.postgres.Postgres;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader does every cycle while it holds the key: a replication slot per member, the
 * published WAL position, and the synchronous standbys one safe step at a time. Also the
 * parameters every member runs PostgreSQL with. Runs on the loop thread.
 */
final class PrimaryDuties {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryDuties.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String me;
    private final Dcs dcs;
    private final Postgres postgres;
    private final LoopState state;
    private final Runnable wakeUp;

    PrimaryDuties(String me, Dcs dcs, Postgres postgres, LoopState state, Runnable wakeUp) {
        this.me = me;
        this.dcs = dcs;
        this.postgres = postgres;
        this.state = state;
        this.wakeUp = wakeUp;
    }

    /**
     * PostgreSQL parameters for this member: the cluster's, plus, in synchronous mode,
     * synchronous_standby_names as the leader manages it (empty on replicas).
     */
    Map<String, String> parameters(Cycle cycle) {
        Map<String, String> parameters = new LinkedHashMap<>(cycle.dynamic().postgresParameters());
        if (cycle.dynamic().synchronousMode()) {
            List<String> names = SynchronousPlan.standbyNamesFor(me, cycle.leading(me), state.synchronousStandbyNames,
                    cycle.view().flatMap(ClusterView::sync), cycle.dynamic().synchronousModeStrict());
            parameters.put("synchronous_standby_names", SynchronousPlan.render(names));
        }
        return parameters;
    }

    void perform(Cycle cycle) {
        ClusterView view = cycle.view().orElseThrow();
        if (cycle.dynamic().useSlots()) {
            maintainSlots(view, cycle);
        }
        long position = cycle.local().walPosition();
        if (position != state.lastPublishedOptime && dcs.writeStatus(position)) {
            state.lastPublishedOptime = position;
        }
        manageSynchronousStandbys(view, cycle);
    }

    private void maintainSlots(ClusterView view, Cycle cycle) {
        Set<String> wanted = new HashSet<>();
        for (Member member : view.members()) {
            if (!member.name().equals(me)) {
                wanted.add(HaRules.slotNameFor(member.name()));
            }
        }
        Set<String> existing = new HashSet<>(postgres.physicalReplicationSlots());
        SlotPlan plan = SlotPlan.plan(existing, wanted, state.unwantedSlotsSince, cycle.nowNanos(),
                cycle.dynamic().memberSlotsTtlSeconds() * NANOS_PER_SECOND);
        for (String slot : plan.create()) {
            LOG.info("creating replication slot {}", slot);
            postgres.createPhysicalReplicationSlot(slot);
        }
        for (String slot : plan.drop()) {
            LOG.info("dropping replication slot {}: its member is gone", slot);
            postgres.dropReplicationSlot(slot);
        }
        state.unwantedSlotsSince = new HashMap<>(plan.unwantedSince());
    }

    /** Synchronous mode on the leader: one safe step per cycle (see {@link SynchronousPlan}). */
    private void manageSynchronousStandbys(ClusterView view, Cycle cycle) {
        if (!cycle.dynamic().synchronousMode()) {
            state.synchronousStandbyNames = Optional.empty();
            if (view.sync().isPresent()) {
                dcs.deleteSync();
            }
            return;
        }
        SynchronousPlan plan = SynchronousPlan.plan(me, view.sync(), cycle.local().replication(), view.members(),
                cycle.local().walPosition(), state.standbyNamesEnabledAt, cycle.settings().synchronous());
        if (plan.keyStandbys().isPresent()) {
            long revision = view.sync().map(SyncState::modRevision).orElse(0L);
            if (!dcs.writeSync(new SyncState(Optional.of(me), plan.keyStandbys().get(), 0), revision)) {
                LOG.warn("the sync key changed meanwhile; trying again next cycle");
                wakeUp.run();
                return;
            }
            LOG.info("synchronous standbys in the sync key: {}", plan.keyStandbys().get());
        }
        if (!state.synchronousStandbyNames.equals(Optional.of(plan.standbyNames()))) {
            state.synchronousStandbyNames = Optional.of(plan.standbyNames());
            if (postgres.writeConfiguration(false, Optional.empty(), parameters(cycle))) {
                LOG.info("synchronous_standby_names = '{}'", SynchronousPlan.render(plan.standbyNames()));
                postgres.reload();
                // Read after the reload: everything acknowledged before the new setting lies below it.
                state.standbyNamesEnabledAt = postgres.state().walPosition();
            }
            // Newly enabled standbys become synchronous in pg_stat_replication shortly: look again soon.
            wakeUp.run();
        }
    }

    /**
     * Keeps postgresql.conf equal to the cluster's configuration (dynamic parameters, then local
     * ones): rewritten and reloaded when it changed; parameters that need a restart show up as
     * pending_restart.
     */
    void applyConfiguration(Cycle cycle) {
        Optional<Optional<io.spilo.postgres.Upstream>> upstream =
                HaRules.upstreamToConfigure(cycle.view().orElseThrow(), cycle.local(), me, cycle.settings().useSlots());
        if (upstream.isEmpty()) {
            return;
        }
        if (postgres.writeConfiguration(cycle.local().inRecovery(), upstream.get(), parameters(cycle))) {
            LOG.info("configuration changed; reloading PostgreSQL");
            postgres.reload();
        }
    }
}
