package io.spilo.cli;

import picocli.CommandLine.Command;

@Command(name = "pause", description = "Maintenance mode: no automatic failover, demotion or restart.")
final class Pause extends PauseToggle {
    @Override
    public Integer call() {
        return setPause(true);
    }
}
