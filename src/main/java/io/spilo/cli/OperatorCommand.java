package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.Member;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Shared by every operator command: where the cluster is, output, and confirmation prompts. */
abstract class OperatorCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** A copy with object keys in alphabetical order, as patronictl shows them. */
    static JsonNode sorted(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode result = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            result.set(name, sorted(node.get(name)));
        }
        return result;
    }

    @Mixin
    ClusterOptions options;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    ClusterClient client(Optional<String> clusterName) {
        return new ClusterClient(options.resolve(clusterName));
    }

    /** Asks on the terminal; without one (or with --force) the caller decides. */
    boolean confirm(String question) {
        out().print(question + " [y/N]: ");
        out().flush();
        String answer = readLine();
        return answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes");
    }

    private BufferedReader stdin;

    /** One reader for the whole command: a second reader would miss what the first one buffered. */
    String readLine() {
        try {
            if (stdin == null) {
                stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            }
            String line = stdin.readLine();
            return line == null ? "" : line.strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static Member leaderOf(ClusterView view) {
        return view.leaderMember().orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE,
                "the cluster has no leader right now; wait for one, or use 'spilo failover --candidate NAME'"));
    }

    static Member member(ClusterView view, String name) {
        return view.member(name).orElseThrow(() -> new CommandFailure(ExitCodes.FAILURE,
                "member " + name + " is not part of the cluster; 'spilo list' shows the members"));
    }

    int report(ClusterClient.Reply reply, String what) {
        if (reply.succeeded()) {
            out().println("Success: " + what + ": " + reply.body().strip());
            out().flush();
            return ExitCodes.OK;
        }
        throw new CommandFailure(ExitCodes.FAILURE, what + " failed (status " + reply.status() + "): " + reply.body().strip());
    }
}
