package io.spilo.ha;

import io.spilo.dcs.Member;
import java.util.List;

/** Sends the leader's {@code POST /failsafe} to members, all at once, each bounded by a short timeout. */
@FunctionalInterface
public interface FailsafeCaller {
    /**
     * @param leader this member, as the request names it
     * @return the members that answered 200 {@code Accepted}
     */
    List<String> call(List<Member> members, FailsafeRequest leader);

    /** What the leader tells the others: Patroni's body ({@code name}, {@code conn_url}, {@code api_url}). */
    record FailsafeRequest(String name, String connUrl, String apiUrl) {
    }

    /** For members that never lead through an outage (and tests of other parts). */
    FailsafeCaller NONE = (members, leader) -> List.of();
}
