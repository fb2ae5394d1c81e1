package io.spilo.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlotPlanTest {
    private static final long MINUTE = 60_000_000_000L;

    @Test
    void slotsAreCreatedForNewMembers() {
        SlotPlan plan = SlotPlan.plan(Set.of("node2"), Set.of("node2", "node3"), Map.of(), 0, 30 * MINUTE);

        assertThat(plan.create()).containsExactly("node3");
        assertThat(plan.drop()).isEmpty();
    }

    @Test
    void aSlotWithoutAMemberIsKeptForTheGracePeriodThenDropped() {
        SlotPlan first = SlotPlan.plan(Set.of("node2", "gone"), Set.of("node2"), Map.of(), 0, 30 * MINUTE);
        assertThat(first.drop()).isEmpty();
        assertThat(first.unwantedSince()).containsEntry("gone", 0L);

        SlotPlan justBefore = SlotPlan.plan(Set.of("node2", "gone"), Set.of("node2"), first.unwantedSince(), 30 * MINUTE - 1, 30 * MINUTE);
        assertThat(justBefore.drop()).isEmpty();

        SlotPlan after = SlotPlan.plan(Set.of("node2", "gone"), Set.of("node2"), justBefore.unwantedSince(), 30 * MINUTE, 30 * MINUTE);
        assertThat(after.drop()).containsExactly("gone");
        assertThat(after.unwantedSince()).isEmpty();
    }

    @Test
    void aMemberThatComesBackInTimeKeepsItsSlot() {
        SlotPlan away = SlotPlan.plan(Set.of("node3"), Set.of(), Map.of(), 0, 30 * MINUTE);
        SlotPlan back = SlotPlan.plan(Set.of("node3"), Set.of("node3"), away.unwantedSince(), 10 * MINUTE, 30 * MINUTE);
        SlotPlan awayAgain = SlotPlan.plan(Set.of("node3"), Set.of(), back.unwantedSince(), 35 * MINUTE, 30 * MINUTE);

        assertThat(back.drop()).isEmpty();
        assertThat(awayAgain.drop()).as("the grace period restarts when the member goes away again").isEmpty();
    }
}
