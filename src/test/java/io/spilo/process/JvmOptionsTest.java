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

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bin/spilo", "src/deb/bin/spilo"})
    void theLauncherScriptsRunJavaWithTheDefaults(String launcher) throws Exception {
        String script = Files.readString(Path.of(launcher));
        Matcher launch = Pattern.compile("java_opts=\"\\$\\{SPILO_JAVA_OPTS:-([^}]*)\\}\"").matcher(script);
        assertThat(launch.find()).as(launcher + " sets java_opts=\"${SPILO_JAVA_OPTS:-defaults}\"").isTrue();
        assertThat(List.of(launch.group(1).trim().split("\\s+"))).isEqualTo(JvmOptions.DEFAULTS);
    }

    @Test
    void thePackagesClassArchiveIsBuiltWithTheDefaults() throws Exception {
        String script = Files.readString(Path.of("src/deb/bin/build-class-archive"));
        assertThat(script.replace("\\\n", " ")).contains(String.join(" ", JvmOptions.DEFAULTS)).contains("warm-up");
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

    @Test
    void aJarRunsWithItsClassDataArchiveOnlyWhenTheArchiveWasBuiltAfterIt(@org.junit.jupiter.api.io.TempDir Path directory)
            throws Exception {
        Path jar = Files.writeString(directory.resolve("spilo.jar"), "jar");
        Path archive = JvmOptions.archiveBeside(jar);
        assertThat(archive).isEqualTo(directory.resolve("spilo.jsa"));
        assertThat(JvmOptions.forJar(jar, Map.of())).isEqualTo(JvmOptions.DEFAULTS);

        Files.writeString(archive, "archive");
        java.nio.file.attribute.FileTime jarTime = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(jarTime.toMillis() + 1000));
        assertThat(JvmOptions.forJar(jar, Map.of())).startsWith(JvmOptions.DEFAULTS.toArray(String[]::new))
                .contains("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");

        // A rebuilt jar is newer than the archive of the old one: not used (the JVM would refuse it anyway, more slowly).
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(jarTime.toMillis() + 5000));
        assertThat(JvmOptions.forJar(jar, Map.of())).isEqualTo(JvmOptions.DEFAULTS);
    }
}
