package io.spilo.cli;

import picocli.CommandLine.Command;

@Command(name = "resume", description = "Leave maintenance mode.")
final class Resume extends PauseToggle {
    @Override
    public Integer call() {
        return setPause(false);
    }
}
