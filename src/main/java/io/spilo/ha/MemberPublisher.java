package io.spilo.ha;

import io.spilo.config.SpiloConfig;
import io.spilo.dcs.Dcs;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.MemberData;
import io.spilo.postgres.LocalState;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this member's key when what it says changed, or when the lease it lives on is new (a new
 * lease starts with no member key). Runs on the loop thread.
 */
final class MemberPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(MemberPublisher.class);

    private final SpiloConfig config;
    private final Dcs dcs;
    private MemberData lastWritten;
    private long lastLeaseId;

    MemberPublisher(SpiloConfig config, Dcs dcs) {
        this.config = config;
        this.dcs = dcs;
    }

    MemberData memberData(LocalState local, MemberState state) {
        return new MemberData("postgres://" + config.postgres().connectAddress() + "/postgres", config.restApi().apiUrl(),
                state.text(), OperatorRules.roleName(local), HaLoop.VERSION,
                local.running() ? OptionalLong.of(local.walPosition()) : OptionalLong.empty(),
                local.isRunningReplica() ? Optional.of(local.streaming() ? "streaming" : "in archive recovery") : Optional.empty(),
                local.timeline(), local.pendingRestart(), config.tags().values());
    }

    void publish(LocalState local, MemberState state, long leaseId) {
        if (leaseId != lastLeaseId) {
            lastLeaseId = leaseId;
            lastWritten = null;
        }
        MemberData data = memberData(local, state);
        if (data.equals(lastWritten)) {
            return;
        }
        try {
            dcs.touchMember(data);
            lastWritten = data;
        } catch (DcsException e) {
            LOG.warn("could not write the member key: {}", e.getMessage());
        }
    }
}
