package io.spilo.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file as the package installs it, read the way systemd reads the parts the tests
 * run without systemd: {@code [Service]}'s {@code ExecStart} split into words (quotes, {@code $$}
 * for a literal dollar; units that need other variables are refused), {@code User}, {@code Group}.
 */
record UnitFile(Path path, Map<String, String> service) {
    static UnitFile read(Path path) throws IOException {
        Map<String, String> service = new LinkedHashMap<>();
        String section = "";
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int equals = line.indexOf('=');
            if (section.equals("[Service]") && equals > 0) {
                service.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
            }
        }
        return new UnitFile(path, service);
    }

    String user() {
        return service.getOrDefault("User", "root");
    }

    String group() {
        return service.getOrDefault("Group", user());
    }

    /** ExecStart as the words systemd passes to execve. */
    List<String> execStart() {
        String line = service.get("ExecStart");
        if (line == null) {
            throw new IllegalStateException(path + " has no ExecStart");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '$') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '$') {
                    word.append('$');
                    i++;
                    inWord = true;
                    continue;
                }
                throw new IllegalStateException(path + ": ExecStart uses a systemd variable, which this reader does not expand: " + line);
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
