package io.spilo.process;

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

    /** {@link #DEFAULTS}, or the whitespace-separated words of {@code SPILO_JAVA_OPTS} when it is set. */
    public static List<String> fromEnvironment(Map<String, String> environment) {
        String override = environment.get(ENVIRONMENT_VARIABLE);
        if (override == null) {
            return DEFAULTS;
        }
        return Arrays.stream(override.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }
}
