package io.spilo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.ConfigException;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DcsException;
import io.spilo.dcs.DynamicConfig;
import io.spilo.dcs.Member;
import io.spilo.dcs.Switchover;
import io.spilo.ha.AgentAction;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The REST API's write endpoints with Patroni's request fields, status codes and messages. Each
 * returns a {@link Reply}: a status and either a plain-text message (as Patroni answers actions)
 * or a JSON document.
 */
final class Actions {
    private final ClusterControl control;
    private final Supplier<OffsetDateTime> wallClock;
    private final Duration switchoverWait;

    Actions(ClusterControl control, Supplier<OffsetDateTime> wallClock, Duration switchoverWait) {
        this.control = control;
        this.wallClock = wallClock;
        this.switchoverWait = switchoverWait;
    }

    record Reply(int status, String text, Optional<JsonNode> json) {
        static Reply text(int status, String text) {
            return new Reply(status, text, Optional.empty());
        }

        static Reply json(int status, JsonNode json) {
            return new Reply(status, json.toString(), Optional.of(json));
        }
    }

    /** POST /switchover ({@code failover == false}) and POST /failover. */
    Reply switchover(ObjectNode body, boolean failover) throws InterruptedException {
        Optional<String> leader = text(body, "leader").or(() -> text(body, "master"));
        Optional<String> candidate = text(body, "candidate").or(() -> text(body, "member"));
        Optional<String> scheduledText = text(body, "scheduled_at");
        String action = failover ? "Failover" : "Switchover";
        if (!failover && leader.isEmpty()) {
            return Reply.text(400, "Switchover could be performed only from a specific leader");
        }
        if (failover && candidate.isEmpty()) {
            return Reply.text(400, "Failover could be performed only to a specific candidate");
        }
        Optional<OffsetDateTime> scheduledAt = Optional.empty();
        if (scheduledText.isPresent()) {
            scheduledAt = Switchover.parseTime(scheduledText.get());
            if (scheduledAt.isEmpty()) {
                return Reply.text(400, "Unable to parse scheduled timestamp '" + scheduledText.get()
                        + "'. It should be in ISO 8601 format with a time zone, like 2026-11-27T10:00:00+00:00");
            }
            if (scheduledAt.get().isBefore(wallClock.get())) {
                return Reply.text(422, "Cannot schedule " + action.toLowerCase(java.util.Locale.ROOT) + " in the past");
            }
        }
        ClusterView view = control.read();
        boolean paused = view.config().paused();
        if (paused && candidate.isEmpty()) {
            return Reply.text(400, action + " is possible only to a specific candidate in a paused state");
        }
        if (paused && scheduledAt.isPresent()) {
            return Reply.text(400, "Can't schedule " + action.toLowerCase(java.util.Locale.ROOT) + " in the paused state");
        }
        Optional<String> currentLeader = view.leader().map(current -> current.name());
        if (leader.isPresent() && !leader.equals(currentLeader)) {
            return Reply.text(412, "leader name does not match");
        }
        if (!failover && currentLeader.isEmpty()) {
            return Reply.text(412, "Cluster has no leader, switchover is not possible; use failover");
        }
        if (candidate.isPresent()) {
            Optional<Member> member = view.member(candidate.get());
            if (member.isEmpty()) {
                return Reply.text(412, "candidate " + candidate.get() + " does not exist");
            }
            if (candidate.equals(currentLeader)) {
                return Reply.text(412, action + " target and source are the same");
            }
            if (Boolean.TRUE.equals(member.get().tags().get("nofailover"))) {
                return Reply.text(412, "candidate " + candidate.get() + " has the nofailover tag");
            }
            if (!member.get().state().equals("running")) {
                return Reply.text(412, "candidate " + candidate.get() + " is not running");
            }
            if (view.config().synchronousMode() && !io.spilo.ha.HaRules.isSynchronousStandby(view, candidate.get())) {
                return Reply.text(412, "candidate name does not match with sync_standby: synchronous mode is on and "
                        + candidate.get() + " is not a synchronous standby");
            }
        } else if (io.spilo.ha.HaRules.bestCandidate(view, currentLeader.orElse("")).isEmpty()) {
            return Reply.text(412, "No candidates found to switchover to");
        }
        Switchover request = new Switchover(failover ? Optional.empty() : leader, candidate, scheduledAt);
        if (!control.requestSwitchover(request)) {
            return Reply.text(409, "A switchover or failover is already requested or scheduled; DELETE /switchover to cancel it");
        }
        if (scheduledAt.isPresent()) {
            return Reply.text(202, action + " scheduled");
        }
        return awaitOutcome(currentLeader, candidate, failover);
    }

    private Reply awaitOutcome(Optional<String> oldLeader, Optional<String> candidate, boolean failover) throws InterruptedException {
        long deadline = System.nanoTime() + switchoverWait.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            ClusterView view;
            try {
                view = control.read();
            } catch (DcsException e) {
                continue;
            }
            Optional<String> leader = view.leader().map(current -> current.name());
            if (leader.isPresent() && !leader.equals(oldLeader) && (candidate.isEmpty() || leader.equals(candidate))) {
                return Reply.text(200, "Successfully " + (failover ? "failed over" : "switched over") + " to \"" + leader.get() + "\"");
            }
            if (view.failover().isEmpty() && leader.equals(oldLeader)) {
                return Reply.text(503, (failover ? "Failover" : "Switchover") + " failed; see the leader's log");
            }
        }
        return Reply.text(503, (failover ? "Failover" : "Switchover") + " status unknown: no new leader within "
                + switchoverWait.toSeconds() + " s");
    }

    /** DELETE /switchover: cancel a scheduled request. */
    Reply cancelSwitchover() {
        ClusterView view = control.read();
        if (view.failover().isEmpty()) {
            return Reply.text(404, "no switchover is scheduled");
        }
        control.clearSwitchover();
        return Reply.text(200, "scheduled switchover deleted");
    }

    /** PATCH /config (merge patch) and PUT /config (replace), both by compare-and-set. */
    Reply config(ObjectNode body, boolean replace) {
        ClusterView view = control.read();
        if (!replace && !view.configPresent()) {
            return Reply.text(503, "The cluster configuration is not available yet");
        }
        ObjectNode updated = replace ? body : JsonMergePatch.apply(view.config().json(), body);
        try {
            new DynamicConfig(updated, 0).validated("");
        } catch (ConfigException e) {
            return Reply.text(400, e.getMessage());
        }
        java.util.Optional<String> parameterProblem = new DynamicConfig(updated, 0).parameterProblem(control.knownParameterNames());
        if (parameterProblem.isPresent()) {
            return Reply.text(400, parameterProblem.get());
        }
        long revision = view.configPresent() ? view.config().modRevision() : 0;
        if (!control.replaceConfig(updated, revision)) {
            return Reply.text(409, "The configuration was changed by somebody else meanwhile; read it again and retry");
        }
        return Reply.json(200, updated);
    }

    /** POST /restart. */
    Reply restart(ObjectNode body) throws InterruptedException {
        Optional<String> role = text(body, "role");
        if (role.isPresent() && !role.get().matches("primary|master|replica")) {
            return Reply.text(400, "PostgreSQL role should be either primary or replica");
        }
        Optional<OffsetDateTime> schedule = Optional.empty();
        Optional<String> scheduleText = text(body, "schedule");
        if (scheduleText.isPresent()) {
            schedule = Switchover.parseTime(scheduleText.get());
            if (schedule.isEmpty()) {
                return Reply.text(400, "Unable to parse scheduled timestamp '" + scheduleText.get() + "'");
            }
        }
        Optional<Duration> timeout = Optional.empty();
        JsonNode timeoutNode = body.get("timeout");
        if (timeoutNode != null && !timeoutNode.isNull()) {
            if (!timeoutNode.canConvertToInt() || timeoutNode.asInt() <= 0) {
                return Reply.text(400, "timeout must be a positive number of seconds");
            }
            timeout = Optional.of(Duration.ofSeconds(timeoutNode.asInt()));
        }
        JsonNode pending = body.get("restart_pending");
        if (pending != null && !pending.isBoolean()) {
            return Reply.text(400, "restart_pending must be true or false");
        }
        return submit(new AgentAction.Restart(pending != null && pending.booleanValue(), role.map(name -> name.equals("master") ? "primary" : name),
                schedule, timeout), Duration.ofMinutes(5));
    }

    Reply submit(AgentAction action, Duration wait) throws InterruptedException {
        try {
            io.spilo.ha.ActionOutcome outcome = control.submit(action).get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return Reply.text(statusCode(outcome), outcome.message());
        } catch (ExecutionException e) {
            return Reply.text(503, String.valueOf(e.getCause().getMessage()));
        } catch (TimeoutException e) {
            return Reply.text(503, "the agent did not handle the request within " + wait.toSeconds() + " s");
        }
    }

    /** Patroni's status code for each kind of outcome. */
    static int statusCode(io.spilo.ha.ActionOutcome outcome) {
        if (outcome instanceof io.spilo.ha.ActionOutcome.Done) {
            return 200;
        } else if (outcome instanceof io.spilo.ha.ActionOutcome.Accepted) {
            return 202;
        } else if (outcome instanceof io.spilo.ha.ActionOutcome.NotFound) {
            return 404;
        } else if (outcome instanceof io.spilo.ha.ActionOutcome.Conflict) {
            return 409;
        } else if (outcome instanceof io.spilo.ha.ActionOutcome.PreconditionFailed) {
            return 412;
        } else if (outcome instanceof io.spilo.ha.ActionOutcome.Unavailable) {
            return 503;
        }
        throw new IllegalStateException("no status code for " + outcome);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new BadRequest(field + " must be a string");
        }
        return value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText().strip());
    }

    /** A request field of the wrong type: answered 400 with this message. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
