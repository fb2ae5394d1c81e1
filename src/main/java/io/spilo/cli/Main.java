package io.spilo.cli;

import picocli.CommandLine;

/** The {@code spilo} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (no System.exit, so tests can call it). */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return new CommandLine(new SpiloCommand())
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                    commandLine.getErr().println("spilo: " + exception.getMessage());
                    commandLine.getErr().flush();
                    return exception instanceof CommandFailure failure ? failure.exitCode() : ExitCodes.FAILURE;
                })
                .execute(args);
    }
}
