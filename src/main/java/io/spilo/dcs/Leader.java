package io.spilo.dcs;

/** The {@code leader} key: who leads, under which etcd lease, at which modification revision. */
public record Leader(String name, long leaseId, long modRevision) {
}
