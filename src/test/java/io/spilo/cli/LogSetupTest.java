package io.spilo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

class LogSetupTest {

    @Test
    void oneLinePerEventOnStandardErrorWithQuietLibraries() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);
        setup.configure(context);
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(ConsoleAppender.class,
                appender -> assertThat(appender.getTarget()).isEqualTo("System.err"));
        assertThat(context.getLogger("io.etcd.jetcd.impl").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theLineNamesTimeLevelThreadAndClassAndCarriesTheStackTrace() {
        LoggerContext context = new LoggerContext();
        LogSetup.LineLayout layout = new LogSetup.LineLayout();
        layout.setContext(context);
        layout.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("io.spilo.ha.HaLoop");
        LoggingEvent event = new LoggingEvent("test", logger, Level.INFO, "following {}", null, new Object[] {"node3"});
        event.setThreadName("ha-loop");
        assertThat(layout.doLayout(event))
                .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[ha-loop\\] HaLoop: following node3\\R");

        LoggingEvent failure = new LoggingEvent("test", logger, Level.WARN, "cycle failed", new IllegalStateException("boom"), null);
        failure.setThreadName("ha-loop");
        assertThat(layout.doLayout(failure))
                .contains(" WARN  [ha-loop] HaLoop: cycle failed")
                .contains("java.lang.IllegalStateException: boom")
                .contains("at io.spilo.cli.LogSetupTest");
    }
}
