package io.spilo.cli;

import io.spilo.ha.HaLoop;
import picocli.CommandLine.Command;

@Command(name = "spilo", mixinStandardHelpOptions = true, versionProvider = SpiloCommand.Version.class,
        description = "Highly available PostgreSQL: agent and tools.",
        subcommands = {AgentCommand.class, HaproxyCommand.class, HaproxyConfigCommand.class, DemoCommand.class,
                ListMembers.class, Topology.class, SwitchoverCommand.class,
                FailoverCommand.class, RestartCommand.class, ReloadCommand.class,
                ReinitCommand.class, Pause.class, Resume.class,
                ShowConfig.class, EditConfigCommand.class, History.class,
                Dsn.class, Remove.class, BackupCommand.class, BackupsCommand.class, RestoreCommand.class, NodeConfigCommand.class, EventsCommand.class, Version.class, WarmUpCommand.class})
public final class SpiloCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spilo " + HaLoop.VERSION};
        }
    }
}
