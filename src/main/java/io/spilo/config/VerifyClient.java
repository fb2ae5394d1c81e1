package io.spilo.config;

/** {@code restapi.verify_client}: whether the REST API asks clients for a certificate signed by {@code restapi.cafile}. */
public enum VerifyClient {
    /** No client certificate is asked for. */
    NONE,
    /** A certificate is asked for and checked when given; actions need a valid certificate or Basic credentials. */
    OPTIONAL,
    /** The TLS handshake fails without a valid client certificate. */
    REQUIRED
}
