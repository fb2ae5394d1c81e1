package io.spilo.cli;

import io.spilo.config.SpiloConfig;
import io.spilo.dcs.etcd.EtcdDcs;
import io.spilo.proxy.HaproxyController;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "haproxy-config", description = "Print the HAProxy configuration for the cluster, for people who run HAProxy themselves.")
final class HaproxyConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigFileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SpiloConfig config = options.load();
        try (EtcdDcs dcs = ConfigFileOptions.connect(config, "haproxy-config")) {
            spec.commandLine().getOut().print(HaproxyController.render(config.haproxy(), ConfigFileOptions.read(dcs)));
            spec.commandLine().getOut().flush();
        }
        return ExitCodes.OK;
    }
}
