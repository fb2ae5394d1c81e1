package io.spilo.api;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.spilo.config.VerifyClient;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/** {@code restapi.verify_client} and {@code restapi.ciphers} applied to every HTTPS connection of the REST API. */
final class ClientCertificatePolicy extends HttpsConfigurator {
    private final VerifyClient verifyClient;
    private final List<String> ciphers;

    ClientCertificatePolicy(SSLContext context, VerifyClient verifyClient, List<String> ciphers) {
        super(context);
        this.verifyClient = verifyClient;
        this.ciphers = List.copyOf(ciphers);
    }

    @Override
    public void configure(HttpsParameters parameters) {
        SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
        switch (verifyClient) {
            case NONE -> ssl.setNeedClientAuth(false);
            case OPTIONAL -> ssl.setWantClientAuth(true);
            case REQUIRED -> ssl.setNeedClientAuth(true);
        }
        if (!ciphers.isEmpty()) {
            ssl.setCipherSuites(ciphers.toArray(String[]::new));
        }
        parameters.setSSLParameters(ssl);
    }
}
