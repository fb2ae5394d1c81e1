package io.spilo.cli;

import io.spilo.dcs.DcsException;

/** One line for an operator when etcd cannot be used, by what went wrong. */
final class EtcdMessages {
    private EtcdMessages() {
    }

    static String describe(DcsException e) {
        return switch (e.kind()) {
            case UNREACHABLE -> "cannot reach etcd: " + e.getMessage() + "; start etcd or correct etcd3.hosts";
            case REFUSED, FAILED -> e.getMessage();
        };
    }
}
