package io.spilo.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

    @Test
    void theLauncherScriptRunsJavaWithTheDefaults() throws Exception {
        String script = Files.readString(Path.of("bin/spilo"));
        Matcher launch = Pattern.compile("exec java \\$\\{SPILO_JAVA_OPTS:-([^}]*)\\} -jar").matcher(script);
        assertThat(launch.find()).as("bin/spilo starts java with ${SPILO_JAVA_OPTS:-defaults}").isTrue();
        assertThat(List.of(launch.group(1).trim().split("\\s+"))).isEqualTo(JvmOptions.DEFAULTS);
    }

    @Test
    void theDefaultsKeepTheAgentSmall() {
        // What the README's memory figure rests on: a bounded heap that starts small, the serial
        // collector (no parallel GC threads), the client compiler only, small thread stacks.
        assertThat(JvmOptions.DEFAULTS).contains("-Xms8m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    }

    @Test
    void spiloJavaOptsReplacesTheDefaults() {
        assertThat(JvmOptions.fromEnvironment(Map.of())).isEqualTo(JvmOptions.DEFAULTS);
        assertThat(JvmOptions.fromEnvironment(Map.of("SPILO_JAVA_OPTS", " -Xmx256m  -XX:+UseG1GC ")))
                .containsExactly("-Xmx256m", "-XX:+UseG1GC");
    }
}
