package io.spilo.demo;

import io.spilo.config.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;


/** The demo's passwords: generated once, kept in a file only the owner reads, and a pgpass file for psql. */
record DemoSecrets(String superuserPassword, String replicationPassword) {
    static DemoSecrets readOrCreate(Path file, Path passfile) throws IOException {
        DemoSecrets secrets;
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file);
            secrets = new DemoSecrets(lines.get(0).strip(), lines.get(1).strip());
        } else {
            SecureRandom random = new SecureRandom();
            byte[] one = new byte[12];
            byte[] two = new byte[12];
            random.nextBytes(one);
            random.nextBytes(two);
            secrets = new DemoSecrets(HexFormat.of().formatHex(one), HexFormat.of().formatHex(two));
            PrivateFiles.write(file, secrets.superuserPassword() + "\n" + secrets.replicationPassword() + "\n");
        }
        PrivateFiles.write(passfile, "*:*:*:postgres:" + secrets.superuserPassword() + "\n");
        return secrets;
    }

    @Override
    public String toString() {
        return "DemoSecrets[***]";
    }
}
