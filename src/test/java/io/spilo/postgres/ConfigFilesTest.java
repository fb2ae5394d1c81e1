package io.spilo.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** postgresql.conf as Spilo renders it: one line per parameter, whatever the values hold. */
class ConfigFilesTest {
    @Test
    void quotesAndBackslashesStayInsideTheirValue() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("application_name", "it's a \\ test");

        String text = ConfigFiles.renderPostgresqlConf("node1", parameters);

        assertThat(text).contains("application_name = 'it''s a \\\\ test'\n");
    }

    @Test
    void aValueWithALineBreakIsNeverWritten() {
        Map<String, String> parameters = Map.of("work_mem", "8MB'\nshared_preload_libraries = 'evil");

        assertThatThrownBy(() -> ConfigFiles.renderPostgresqlConf("node1", parameters))
                .isInstanceOf(PostgresException.class).hasMessageContaining("work_mem").hasMessageContaining("control character");
    }
}
