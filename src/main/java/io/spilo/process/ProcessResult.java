package io.spilo.process;

/** What a finished external program left behind: its exit code and its combined output. */
public record ProcessResult(int exitCode, String output) {
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The last lines of the output, short enough for one log line or error message. */
    public String tail() {
        String trimmed = output.strip();
        String[] lines = trimmed.split("\n");
        int from = Math.max(0, lines.length - 5);
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
