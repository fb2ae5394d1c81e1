package io.spilo.cli;

import io.spilo.config.SpiloConfig;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.etcd.EtcdDcs;
import io.spilo.proxy.HaproxyController;
import io.spilo.proxy.ProxyException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "haproxy", description = "Run HAProxy for the cluster and keep it following the leader and the members.")
final class HaproxyCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyCommand.class);

    @Mixin
    ConfigFileOptions options;

    @Override
    public Integer call() throws Exception {
        SpiloConfig config = options.load();
        EtcdDcs dcs = ConfigFileOptions.connect(config, "haproxy");
        ClusterView view = ConfigFileOptions.read(dcs);
        HaproxyController controller = new HaproxyController(config.haproxy(), dcs);
        try {
            controller.start(view);
        } catch (ProxyException e) {
            dcs.close();
            throw new CommandFailure(ExitCodes.FAILURE, e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread follower = new Thread(() -> controller.run(view.config().timing().loopWaitSeconds()), "haproxy-follower");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping HAProxy");
            controller.stop();
            dcs.close();
            stopped.countDown();
        }, "shutdown"));
        follower.start();
        stopped.await();
        return ExitCodes.OK;
    }
}
