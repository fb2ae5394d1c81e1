package io.spilo.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Looks for secrets where they must never be: process argument lists, logs, files others may
 * read, etcd values and REST responses. A secret is a password, or a private key (found by a line
 * of its base64 body).
 */
final class SecretsScan {
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final List<String> hits = new ArrayList<>();

    SecretsScan password(String label, String password) {
        secrets.put(label, password);
        return this;
    }

    /** Every line of the key's base64 body is distinctive; the first one is enough to recognise a copy. */
    SecretsScan privateKey(Path file) throws IOException {
        String body = Files.readAllLines(file).stream().filter(line -> !line.startsWith("-----") && line.length() >= 40)
                .findFirst().orElseThrow(() -> new IllegalArgumentException(file + " holds no PEM key body"));
        secrets.put("the private key " + file.getFileName(), body);
        return this;
    }

    /** Hits so far: "<where> holds <which secret>". */
    List<String> hits() {
        return List.copyOf(hits);
    }

    int secretCount() {
        return secrets.size();
    }

    void text(String where, String text) {
        secrets.forEach((label, secret) -> {
            if (text.contains(secret)) {
                hits.add(where + " holds " + label);
            }
        });
    }

    /** Every process's argument list, as {@code ps} shows them to any user; how many were read. */
    int processes() throws IOException {
        int read = 0;
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(path -> path.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    byte[] arguments = Files.readAllBytes(entry.resolve("cmdline"));
                    text("the arguments of pid " + entry.getFileName(), new String(arguments, StandardCharsets.UTF_8).replace('\0', ' '));
                    read++;
                } catch (IOException exited) {
                    // the process ended while the scan ran
                }
            }
        }
        return read;
    }

    /**
     * Every log under {@code root}, and every other file there that a user other than its owner
     * may read (secrets belong in files of mode 0600: pgpass, keys, configurations).
     */
    int files(Path root) throws IOException {
        int read = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : paths.filter(Files::isRegularFile).toList()) {
                Set<PosixFilePermission> mode;
                try {
                    mode = Files.getPosixFilePermissions(file);
                } catch (IOException gone) {
                    continue;
                }
                boolean othersRead = mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ);
                boolean log = file.getFileName().toString().endsWith(".log");
                if (othersRead || log) {
                    text((log ? "the log " : "the file readable by others ") + file,
                            new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    read++;
                }
            }
        }
        return read;
    }
}
