package io.spilo.cli;

import io.spilo.demo.Demo;
import io.spilo.demo.DemoException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", description = "Start a whole local cluster: etcd, three agents and HAProxy. Ctrl-C stops it.",
        subcommands = {DemoCommand.Stop.class, DemoCommand.Kill.class, DemoCommand.Start.class, DemoCommand.Status.class})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "state directory (default: ~/.spilo/demo, /var/lib/spilo/demo as root)")
    Path directory;

    @Option(names = "--etcd-members", paramLabel = "N", description = "etcd members, 1 or 3 (default 1)")
    Integer etcdMembers;

    @Option(names = "--tls", description = "TLS on every link: a CA and certificates made for the demo (etcd, REST APIs, HAProxy's checks, PostgreSQL)")
    boolean tls;

    @Option(names = "--detach", description = "leave the cluster running and return; stop it with 'spilo demo stop'")
    boolean detach;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (etcdMembers != null && etcdMembers != 1 && etcdMembers != 3) {
            throw new CommandFailure(ExitCodes.USAGE, "--etcd-members must be 1 or 3");
        }
        PrintWriter out = spec.commandLine().getOut();
        Demo demo = new Demo(directory == null ? Demo.defaultDirectory() : directory, out, jarLocation());
        try {
            demo.start(etcdMembers == null ? 0 : etcdMembers, tls);
        } catch (DemoException e) {
            throw new CommandFailure(ExitCodes.FAILURE, e.getMessage());
        } catch (RuntimeException e) {
            stopQuietly(demo, out);
            throw new CommandFailure(ExitCodes.FAILURE, e.getMessage());
        }
        if (detach) {
            out.println("Left running. Stop it with: bin/spilo demo stop --dir " + demo.layoutFile().getParent());
            out.flush();
            return ExitCodes.OK;
        }
        out.println("Press Ctrl-C to stop the cluster.");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopQuietly(demo, out);
            stopped.countDown();
        }, "demo-stop"));
        stopped.await();
        return ExitCodes.OK;
    }

    private static void stopQuietly(Demo demo, PrintWriter out) {
        try {
            demo.stop();
        } catch (Exception e) {
            out.println("stopping the demo: " + e.getMessage());
        }
        out.flush();
    }

    static Path jarLocation() {
        try {
            return Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new CommandFailure(ExitCodes.FAILURE, "cannot locate the spilo jar: " + e.getMessage());
        }
    }

    @Command(name = "stop", description = "Stop the demo cluster in DIR (by pid); its data stays.")
    static final class Stop extends OnDemo {
        @Override
        void act(Demo demo) throws Exception {
            demo.stop();
        }
    }

    /** What the node subcommands share: the demo directory and how to act on it. */
    abstract static class OnDemo implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", description = "state directory of the demo")
        Path directory;

        @Spec
        CommandSpec spec;

        abstract void act(Demo demo) throws Exception;

        @Override
        public Integer call() throws Exception {
            Demo demo = new Demo(directory == null ? Demo.defaultDirectory() : directory, spec.commandLine().getOut(), jarLocation());
            try {
                act(demo);
            } catch (DemoException e) {
                throw new CommandFailure(ExitCodes.FAILURE, e.getMessage());
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "kill", description = "SIGKILL of NODE's agent and PostgreSQL, as if its machine crashed: watch the failover.")
    static final class Kill extends OnDemo {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "NODE")
        String node;

        @Override
        void act(Demo demo) throws Exception {
            demo.kill(node);
        }
    }

    @Command(name = "start", description = "Start NODE's agent again: it rejoins the cluster as a replica.")
    static final class Start extends OnDemo {
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "NODE")
        String node;

        @Override
        void act(Demo demo) throws Exception {
            demo.startNode(node);
        }
    }

    @Command(name = "status", description = "The demo's processes, and the cluster as 'spilo list' shows it.")
    static final class Status extends OnDemo {
        @Override
        void act(Demo demo) throws Exception {
            io.spilo.demo.DemoLayout layout = demo.status();
            PrintWriter out = spec.commandLine().getOut();
            out.println();
            Main.run(out, spec.commandLine().getErr(), "list", "-c", layout.nodes().get(0).configFile());
        }
    }
}
