package io.spilo.tls;

import io.spilo.config.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * HAProxy's {@code crt} file (certificate chain and key in one PEM, 0600) made from a certificate
 * and key file, and made again when those change: HAProxy reads it only at start and reload, so
 * its owner reloads HAProxy when {@link #refresh()} says the file is new. A certificate whose key
 * does not match yet (a rotation half done) leaves the old file in place until the key arrives.
 */
public final class CombinedPem {
    private final TlsSettings settings;
    private final Path target;
    private final List<Path> sources;
    // Owned by the caller's thread.
    private FileStamps written;
    private Optional<String> problem = Optional.empty();

    public CombinedPem(TlsSettings settings, Path target) {
        this.settings = settings;
        this.target = target;
        this.sources = List.of(settings.certificate().orElseThrow(), settings.keyFile().orElseThrow());
    }

    /** Writes the file now. @throws TlsException naming the file that cannot be used */
    public void write() {
        FileStamps now = FileStamps.of(sources);
        PemFiles.writeCombined(sources.get(0), sources.get(1), settings.privateKeyPassword(), target);
        written = now;
        problem = Optional.empty();
    }

    /** True when the source files changed and the new pair was written; false when nothing changed or the pair is not usable yet. */
    public boolean refresh() {
        if (FileStamps.of(sources).equals(written)) {
            return false;
        }
        try {
            write();
            return true;
        } catch (TlsException e) {
            problem = Optional.of(e.getMessage());
            return false;
        }
    }

    /** Why the last change of the files could not be used, until a usable pair is written. */
    public Optional<String> problem() {
        return problem;
    }
}
