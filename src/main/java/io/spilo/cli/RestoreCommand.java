package io.spilo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spilo.config.SpiloConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "restore", description = {"Write the configuration of a new cluster made from this cluster's backups,"
        + " as they stood at a point in time (point-in-time recovery with pgBackRest).",
        "Start the new cluster's members with it (each with its own name, data_dir and ports); the first one restores,"
        + " replays WAL to the time, promotes, and the others become its replicas."})
final class RestoreCommand implements Callable<Integer> {
    /** A timestamp PostgreSQL reads the same way on every machine: the time zone is required. */
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?\\s*(Z|UTC|[+-]\\d{2}(:?\\d{2})?)";

    @Mixin
    ConfigFileOptions file;

    @Option(names = "--to", required = true, paramLabel = "TIMESTAMP",
            description = "the point in time, with its time zone: '2026-11-28 06:40:24+00'")
    String target;

    @Option(names = "--into", required = true, paramLabel = "SCOPE", description = "the new cluster's scope (its stanza too)")
    String scope;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the configuration here (mode 0600) instead of printing it")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!target.strip().matches(TIMESTAMP)) {
            throw new CommandFailure(ExitCodes.USAGE, "--to: '" + target + "' is not a timestamp with a time zone, like"
                    + " '2026-11-28 06:40:24+00' or '2026-11-28T06:40:24Z'");
        }
        SpiloConfig config = file.load();
        if (config.backup().isEmpty()) {
            throw new CommandFailure(ExitCodes.USAGE, file.configFile + " has no backup: section: this cluster has no backups to restore");
        }
        if (scope.equals(config.scope())) {
            throw new CommandFailure(ExitCodes.USAGE, "--into: the new cluster needs a scope of its own, not '" + scope
                    + "' (its stanza would mix with the old cluster's backups)");
        }
        ObjectNode tree = (ObjectNode) OperatorCommand.YAML.readTree(Files.readString(file.configFile));
        tree.put("scope", scope);
        ObjectNode bootstrap = tree.has("bootstrap") && tree.get("bootstrap").isObject() ? (ObjectNode) tree.get("bootstrap")
                : tree.putObject("bootstrap");
        JsonNode method = bootstrap.get("method");
        if (method != null && !method.asText().equals("initdb")) {
            bootstrap.remove(method.asText());
        }
        bootstrap.put("method", "pgbackrest");
        ObjectNode pgbackrest = bootstrap.putObject("pgbackrest");
        pgbackrest.put("stanza", config.backup().get().stanza());
        pgbackrest.putObject("recovery_conf").put("recovery_target_time", target.strip()).put("recovery_target_action", "promote");
        // The new cluster archives into a stanza of its own, named after its scope.
        ((ObjectNode) tree.get("backup")).remove("stanza");
        String text = "# A new cluster '" + scope + "' made from stanza " + config.backup().get().stanza() + " as it stood at "
                + target.strip() + " (written by spilo restore)\n" + OperatorCommand.YAML.writeValueAsString(tree);
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        } else {
            io.spilo.config.PrivateFiles.write(output, text);
            spec.commandLine().getOut().println("wrote " + output);
            spec.commandLine().getOut().flush();
        }
        return ExitCodes.OK;
    }
}
