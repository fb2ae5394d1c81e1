package io.spilo.cli;

import io.spilo.ha.HaLoop;
import picocli.CommandLine.Command;

@Command(name = "spilo", mixinStandardHelpOptions = true, versionProvider = SpiloCommand.Version.class,
        description = "Highly available PostgreSQL: agent and tools.",
        subcommands = {AgentCommand.class, HaproxyCommand.class, HaproxyConfigCommand.class, DemoCommand.class,
                OperatorCommands.ListMembers.class, OperatorCommands.Topology.class, OperatorCommands.SwitchoverCommand.class,
                OperatorCommands.FailoverCommand.class, OperatorCommands.RestartCommand.class, OperatorCommands.ReloadCommand.class,
                OperatorCommands.ReinitCommand.class, OperatorCommands.Pause.class, OperatorCommands.Resume.class,
                OperatorCommands.ShowConfig.class, EditConfigCommand.class, OperatorCommands.History.class,
                OperatorCommands.Dsn.class, OperatorCommands.Remove.class, OperatorCommands.Version.class})
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
