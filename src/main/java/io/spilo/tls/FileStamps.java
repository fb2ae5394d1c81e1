package io.spilo.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Modification time and size of a few files: a change means the material should be read again. */
record FileStamps(List<String> stamps) {
    static FileStamps of(List<Path> files) {
        List<String> stamps = new ArrayList<>();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamps.add(file + "@" + attributes.lastModifiedTime().toMillis() + "/" + attributes.size() + "/" + attributes.fileKey());
            } catch (IOException e) {
                stamps.add(file + "@missing");
            }
        }
        return new FileStamps(List.copyOf(stamps));
    }
}
