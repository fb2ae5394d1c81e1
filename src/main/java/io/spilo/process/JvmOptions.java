package io.spilo.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The JVM options Spilo's own processes run with. They are part of the product: the agent's memory
 * and start-up figures in the README hold only with them. {@code bin/spilo} carries the same list
 * (a test keeps the two equal); {@code SPILO_JAVA_OPTS} replaces it in both places.
 */
public final class JvmOptions {

    /** The environment variable that replaces {@link #DEFAULTS}, as in {@code bin/spilo}. */
    public static final String ENVIRONMENT_VARIABLE = "SPILO_JAVA_OPTS";

    public static final List<String> DEFAULTS = List.of(
            // A small heap that grows when needed: the agent's live data is about 12 MiB.
            "-Xms8m", "-Xmx64m", "-XX:+UseSerialGC",
            // The client compiler only: the agent is idle most of the time, the optimising compiler's
            // threads, arenas and code would cost more memory than its faster code saves CPU.
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=24m",
            "-Xss512k");

    private JvmOptions() {
    }

    /**
     * The options to run {@code jar} with: {@link #fromEnvironment}, plus its class-data archive when
     * one was built for this very jar ({@link #archiveBeside}; the JVM checks the jar's size and time
     * itself and ignores an archive that does not match, silently with these options).
     */
    public static List<String> forJar(Path jar, Map<String, String> environment) {
        List<String> options = new ArrayList<>(fromEnvironment(environment));
        if (hasArchive(jar)) {
            options.add("-XX:SharedArchiveFile=" + archiveBeside(jar));
            options.add("-Xlog:cds*=off");
        }
        return options;
    }

    /** Whether {@code jar} has a class-data archive built after it (so for it, unless it was replaced by an older file). */
    public static boolean hasArchive(Path jar) {
        try {
            return Files.getLastModifiedTime(archiveBeside(jar)).compareTo(Files.getLastModifiedTime(jar)) >= 0;
        } catch (IOException noArchive) {
            return false;
        }
    }

    /** {@code spilo.jar} → {@code spilo.jsa}: where the build (and the demo, for its copy) writes the jar's class-data archive. */
    public static Path archiveBeside(Path jar) {
        String name = jar.getFileName().toString();
        return jar.resolveSibling((name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name) + ".jsa");
    }

    /**
     * The command that builds {@code jar}'s class-data archive: a short run of {@code spilo warm-up}
     * that writes, at its exit, the classes it loaded.
     */
    public static List<String> archiveCommand(Path java, Path jar) {
        // The launcher's own options, so the archive is made under the collector and heap it is mapped with.
        List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
        command.addAll(DEFAULTS);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archiveBeside(jar), "-Xlog:cds*=off", "-jar", jar.toString(), "warm-up"));
        return List.copyOf(command);
    }

    /** {@link #DEFAULTS}, or the whitespace-separated words of {@code SPILO_JAVA_OPTS} when it is set. */
    public static List<String> fromEnvironment(Map<String, String> environment) {
        String override = environment.get(ENVIRONMENT_VARIABLE);
        if (override == null) {
            return DEFAULTS;
        }
        return Arrays.stream(override.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }
}
