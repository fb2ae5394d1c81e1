package io.spilo.cli;

import io.spilo.dcs.ClusterView;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "remove", description = "Delete everything the cluster keeps in etcd (asks twice).")
final class Remove extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Override
    public Integer call() {
        try (ClusterClient client = client(Optional.of(cluster))) {
            ClusterView view = client.read();
            out().print("Please confirm the cluster name to remove: ");
            out().flush();
            if (!readLine().equals(cluster)) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted: the name does not match");
            }
            out().print("You are about to remove all information in etcd for " + cluster + ", please type: \"Yes I am aware\": ");
            out().flush();
            if (!readLine().equals("Yes I am aware")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            if (view.leader().isPresent()) {
                out().print("This cluster has a leader. Type its name to continue: ");
                out().flush();
                if (!readLine().equals(view.leader().get().name())) {
                    throw new CommandFailure(ExitCodes.ABORTED, "aborted: the leader name does not match");
                }
            }
            client.dcs().deleteCluster();
            out().println("Removed cluster " + cluster + " from etcd.");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
