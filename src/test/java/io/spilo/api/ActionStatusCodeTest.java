package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.ha.ActionOutcome;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every kind of outcome the agent can give has Patroni's status code. */
class ActionStatusCodeTest {
    @Test
    void eachOutcomeMapsToPatronisStatusCode() {
        Map<ActionOutcome, Integer> expected = Map.of(
                new ActionOutcome.Done("done"), 200,
                new ActionOutcome.Accepted("later"), 202,
                new ActionOutcome.NotFound("none"), 404,
                new ActionOutcome.Conflict("clash"), 409,
                new ActionOutcome.PreconditionFailed("no"), 412,
                new ActionOutcome.Unavailable("busy"), 503);

        assertThat(expected.keySet().stream().map(Object::getClass).toList())
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(ActionOutcome.class.getPermittedSubclasses()));
        expected.forEach((outcome, code) -> assertThat(Actions.statusCode(outcome)).as(outcome.toString()).isEqualTo(code));
    }
}
