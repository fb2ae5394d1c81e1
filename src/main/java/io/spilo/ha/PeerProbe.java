package io.spilo.ha;

import io.spilo.dcs.Member;
import java.util.List;

/** Asks other members for their status, each within a short timeout. Implemented over HTTP outside this package. */
public interface PeerProbe {
    List<PeerStatus> probe(List<Member> members);
}
