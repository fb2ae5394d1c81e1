package io.spilo.backup;

import java.util.Locale;
import java.util.Optional;

/** pgBackRest's backup types: a full copy, the changes since the last full, or since the last backup of any type. */
public enum BackupType {
    FULL("full"), DIFFERENTIAL("diff"), INCREMENTAL("incr");

    private final String pgBackRestName;

    BackupType(String pgBackRestName) {
        this.pgBackRestName = pgBackRestName;
    }

    public String pgBackRestName() {
        return pgBackRestName;
    }

    /** pgBackRest's names (full, diff, incr) and the long ones. */
    public static Optional<BackupType> parse(String text) {
        String name = text.strip().toLowerCase(Locale.ROOT);
        for (BackupType type : values()) {
            if (type.pgBackRestName.equals(name) || type.name().toLowerCase(Locale.ROOT).equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
