package io.spilo.cli;

import io.spilo.ha.HaLoop;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the Spilo version.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("spilo " + HaLoop.VERSION);
    }
}
