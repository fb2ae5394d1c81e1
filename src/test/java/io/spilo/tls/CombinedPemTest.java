package io.spilo.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.spilo.config.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HAProxy's combined certificate file follows a rotation of its sources, and never pairs a certificate with a foreign key. */
class CombinedPemTest {
    @TempDir
    Path directory;

    @Test
    void aRotationIsWrittenOnceItsKeyMatchesAndNotBefore() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("Test CA");
        CertificateAuthority.Issued first = ca.issue("haproxy", List.of("127.0.0.1"), directory, "client");
        Path target = directory.resolve("combined.pem");
        CombinedPem combined = new CombinedPem(new TlsSettings(Optional.of(first.certificate()), Optional.of(first.privateKey()),
                Optional.empty(), Optional.empty(), false), target);
        combined.write();
        String firstContent = Files.readString(target);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
        assertThat(combined.refresh()).as("nothing changed").isFalse();

        // Half a rotation: the new certificate is in place, its key not yet.
        Path keptKey = directory.resolve("old.key");
        Files.copy(first.privateKey(), keptKey);
        ca.issue("haproxy", List.of("127.0.0.1"), directory, "client");
        Path newKey = directory.resolve("new.key");
        Files.move(first.privateKey(), newKey);
        Files.copy(keptKey, first.privateKey());
        assertThat(combined.refresh()).as("certificate and key do not match").isFalse();
        assertThat(combined.problem()).get().asString().contains("is not the private key");
        assertThat(Files.readString(target)).isEqualTo(firstContent);

        Files.move(newKey, first.privateKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(combined.refresh()).as("the rotation completed").isTrue();
        assertThat(Files.readString(target)).isNotEqualTo(firstContent).contains(Files.readString(first.certificate()).strip());
        assertThat(combined.problem()).isEmpty();
    }
}
