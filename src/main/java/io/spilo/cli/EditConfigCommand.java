package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.ConfigException;
import io.spilo.dcs.ClusterView;
import io.spilo.dcs.DynamicConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "edit-config", description = "Change the cluster-wide configuration: in $EDITOR, or with -s/-p; written by compare-and-set.")
final class EditConfigCommand extends OperatorCommand {
    @Parameters(arity = "0..1", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "set a key (dots for nesting: postgresql.use_slots=false); empty value deletes")
    List<String> settings = new ArrayList<>();

    @Option(names = {"-p", "--pg"}, paramLabel = "NAME=VALUE", description = "set a PostgreSQL parameter; empty value deletes")
    List<String> parameters = new ArrayList<>();

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (ClusterClient client = client(Optional.ofNullable(cluster))) {
            ClusterView view = client.read();
            ObjectNode before = view.config().json();
            ObjectNode after;
            if (settings.isEmpty() && parameters.isEmpty()) {
                after = edit(before);
            } else {
                after = before.deepCopy();
                for (String setting : settings) {
                    apply(after, setting, "");
                }
                for (String parameter : parameters) {
                    apply(after, parameter, "postgresql.parameters.");
                }
            }
            String oldText = YAML.writeValueAsString(sorted(before));
            String newText = YAML.writeValueAsString(sorted(after));
            if (oldText.equals(newText)) {
                out().println("Not changed");
                out().flush();
                return ExitCodes.OK;
            }
            out().print(LineDiff.unified(oldText, newText));
            try {
                new DynamicConfig(after, 0).validated("");
            } catch (ConfigException e) {
                throw new CommandFailure(ExitCodes.USAGE, "the new configuration is not valid: " + e.getMessage());
            }
            if (!force && !confirm("Apply these changes?")) {
                throw new CommandFailure(ExitCodes.ABORTED, "aborted");
            }
            if (!client.dcs().replaceConfig(after, view.configPresent() ? view.config().modRevision() : 0)) {
                throw new CommandFailure(ExitCodes.FAILURE, "the configuration was changed by somebody else meanwhile; run the command again");
            }
            out().println("Configuration changed");
            out().flush();
            return ExitCodes.OK;
        }
    }

    /** {@code a.b.c=value}: the value is read as YAML (numbers, booleans, strings); empty deletes the key. */
    static void apply(ObjectNode config, String assignment, String prefix) throws Exception {
        int equals = assignment.indexOf('=');
        if (equals <= 0) {
            throw new CommandFailure(ExitCodes.USAGE, "'" + assignment + "' is not key=value");
        }
        String[] path = (prefix + assignment.substring(0, equals).strip()).split("\\.");
        String valueText = assignment.substring(equals + 1).strip();
        ObjectNode node = config;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(path[i]);
            }
            node = (ObjectNode) child;
        }
        String last = path[path.length - 1];
        if (valueText.isEmpty() || valueText.equals("null")) {
            node.remove(last);
        } else if (prefix.startsWith("postgresql.parameters")) {
            node.put(last, valueText);
        } else {
            node.set(last, YAML.readTree(valueText));
        }
    }

    private ObjectNode edit(ObjectNode before) throws Exception {
        String editor = Optional.ofNullable(System.getenv("EDITOR")).or(() -> Optional.ofNullable(System.getenv("VISUAL")))
                .orElse("vi");
        Path file = Files.createTempFile("spilo-config-", ".yaml");
        try {
            Files.writeString(file, YAML.writeValueAsString(sorted(before)));
            Process process = new ProcessBuilder(editor, file.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new CommandFailure(ExitCodes.ABORTED, "the editor (" + editor + ") exited with " + process.exitValue() + "; nothing changed");
            }
            JsonNode edited = YAML.readTree(Files.readString(file));
            if (!(edited instanceof ObjectNode object)) {
                throw new CommandFailure(ExitCodes.USAGE, "the edited configuration must be a mapping; nothing changed");
            }
            return object;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
